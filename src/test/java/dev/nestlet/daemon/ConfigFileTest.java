package dev.nestlet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir Path dir;

    private Path file(String text) throws Exception {
        Path f = dir.resolve("nestletd.conf");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void everyErrorIsReportedWithItsLine() throws Exception {
        Path f =
                file(
                        "# a comment\n"
                                + "state-dir = /var/lib/nestlet\n"
                                + "workers = many\n"
                                + "\n"
                                + "colour = blue\n"
                                + "shift = sideways\n"
                                + "vfs-threads = 3\n"
                                + "id-pool = 1000000:655360\n"
                                + "id-pool = 1000000:1000000:lots\n");
        ConfigFile.Parsed p = ConfigFile.read(f);
        assertEquals(5, p.errors().size(), p.errors().toString());
        assertTrue(p.errors().get(0).startsWith(f + ":3: "), p.errors().get(0));
        assertTrue(p.errors().get(0).contains("many"), p.errors().get(0));
        assertEquals(f + ":5: unknown option 'colour'", p.errors().get(1));
        assertEquals(f + ":6: --shift must be idmap or copy", p.errors().get(2));
        assertEquals(
                f + ":8: --id-pool must be UID:GID:COUNT, not 1000000:655360", p.errors().get(3));
        assertEquals(
                f + ":9: --id-pool must be UID:GID:COUNT, not 1000000:1000000:lots",
                p.errors().get(4));
        assertEquals(List.of("--state-dir=/var/lib/nestlet", "--vfs-threads=3"), p.args());
    }

    @Test
    void linesWithoutAnEqualsSignAndEmptyValuesAreErrors() throws Exception {
        Path f = file("workers\nsubid-user =\nconfig = /etc/other.conf\n");
        ConfigFile.Parsed p = ConfigFile.read(f);
        assertEquals(
                List.of(
                        f + ":1: expected 'option = value', read 'workers'",
                        f + ":2: subid-user has no value",
                        f + ":3: unknown option 'config'"),
                p.errors());
    }

    @Test
    void anUnreadableFileIsOneError() {
        ConfigFile.Parsed p = ConfigFile.read(dir.resolve("missing.conf"));
        assertEquals(1, p.errors().size());
        assertTrue(p.errors().get(0).contains("cannot read"), p.errors().get(0));
    }

    @Test
    void theCommandLineWinsAndRepeatableOptionsAdd() throws Exception {
        Path f = file("workers = 2\nsysctl-raise = vm.max_map_count=262144\n");
        List<String> args = new ArrayList<>(ConfigFile.read(f).args());
        args.addAll(List.of("--workers", "6", "--sysctl-raise", "fs.inotify.max_user_watches=1"));
        DaemonOptions d = DaemonOptions.parse(args);
        assertEquals(6, d.integer("workers"));
        assertEquals(
                List.of("vm.max_map_count=262144", "fs.inotify.max_user_watches=1"),
                d.sysctlRaises());
    }

    @Test
    void theShippedFileIsValidAndNamesEveryOption() throws Exception {
        Path shipped = Path.of("packaging/nestletd.conf");
        assertEquals(List.of(), ConfigFile.read(shipped).errors());
        String text = Files.readString(shipped);
        for (String option : ConfigFile.options()) {
            assertTrue(
                    text.contains("\n# " + option + " ="),
                    "packaging/nestletd.conf lacks " + option);
        }
    }
}
