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
        Process stat = new ProcessBuilder("stat", "-c", "%F %Hr:%Lr %A", node.toString()).start();
        assertEquals(
                "character special file 10:200 crw-rw-rw-",
                new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        assertEquals(Optional.of(node), new TunNode(state).node(), "a second nestletd reuses it");
    }
}
