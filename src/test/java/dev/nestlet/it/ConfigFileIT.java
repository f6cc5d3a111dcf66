package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.RawClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** nestletd --config FILE and nestletctl config validate, through the installed programs. */
class ConfigFileIT extends DaemonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String name() {
        return "config";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        Path conf = testDir.resolve("nestletd.conf");
        Files.writeString(
                conf, "# a smaller request limit than the default\nmax-request-bytes = 4096\n");
        return new String[] {"--config", conf.toString()};
    }

    @Test
    void theDaemonTakesItsSettingsFromTheFile() throws Exception {
        byte[] line = new byte[8192];
        Arrays.fill(line, (byte) 'a');
        line[line.length - 1] = '\n';
        JsonNode r = JSON.readTree(new RawClient(daemon.socket()).exchange(line));
        assertEquals("too_large", r.path("error").path("code").asText(), r.toString());
        assertTrue(r.path("error").path("message").asText().contains("4096"), r.toString());
        daemon.ctl("status").ok();
    }

    @Test
    void validateReportsEveryErrorWithItsLine() throws Exception {
        Path bad = dir.path().resolve("bad.conf");
        Files.writeString(bad, "workers = many\nstate-dir = /x\ncolour = blue\nshift = sideways\n");
        Cmd.Result r =
                Cmd.of(Dist.bin("nestletctl").toString(), "config", "validate", bad.toString())
                        .run();
        assertEquals(1, r.exit(), r.all());
        String[] lines = r.err().strip().split("\n");
        assertEquals(3, lines.length, r.err());
        assertTrue(lines[0].startsWith(bad + ":1: "), lines[0]);
        assertEquals(bad + ":3: unknown option 'colour'", lines[1]);
        assertEquals(bad + ":4: --shift must be idmap or copy", lines[2]);

        Cmd.Result good =
                Cmd.of(
                                Dist.bin("nestletctl").toString(),
                                "config",
                                "validate",
                                "packaging/nestletd.conf")
                        .run();
        assertEquals(0, good.exit(), good.all());
    }

    @Test
    void aDaemonWithABadFileStopsBeforeItStarts() throws Exception {
        Path bad = dir.path().resolve("bad2.conf");
        Files.writeString(bad, "workers = 0x\n", StandardCharsets.UTF_8);
        Path socket = dir.path().resolve("never.sock");
        Cmd.Result r =
                Cmd.of(
                                Dist.bin("nestletd").toString(),
                                "--config",
                                bad.toString(),
                                "--socket",
                                socket.toString(),
                                "--state-dir",
                                dir.path().resolve("never-state").toString())
                        .timeout(60)
                        .run();
        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains(bad + ":1: "), r.err());
        assertTrue(!Files.exists(socket), "nothing was started");
    }
}
