package dev.nestlet.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TunNodeTest {
    @Test
    void makesOneNodeForEveryoneWhereTheHostHasTun(@TempDir Path state) throws Exception {
        TunNode tun = new TunNode(state);
        if (!Files.exists(Path.of(SpecEditor.TUN))) {
            assertEquals(Optional.empty(), tun.node(), "no node where the host has no tun");
            return;
        }
        Path node = tun.node().orElseThrow();
        assertEquals(state.resolve("devices/net-tun"), node);
        assertEquals(
                "character special file 10:200 crw-rw-rw-",
                run("stat", "-c", "%F %Hr:%Lr %A", node.toString()));
        assertEquals(Optional.of(node), new TunNode(state).node(), "a second nestletd reuses it");
        Files.delete(node);
        Files.writeString(node, "not a device");
        assertEquals(Optional.of(node), new TunNode(state).node());
        assertEquals(
                "character special file 10:200", run("stat", "-c", "%F %Hr:%Lr", node.toString()));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).start();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
