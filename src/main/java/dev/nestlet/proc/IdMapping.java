package dev.nestlet.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of a uid_map or gid_map: ids {@code inside..inside+count} are {@code host..host+count}.
 */
public record IdMapping(long inside, long host, long count) {

    /** Parses the text of /proc/PID/uid_map (or gid_map). */
    public static List<IdMapping> parse(String text) {
        List<IdMapping> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String t = line.trim();
            if (t.isEmpty()) {
                continue;
            }
            String[] f = t.split("\\s+");
            out.add(
                    new IdMapping(
                            Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
        }
        return out;
    }

    public static List<IdMapping> read(int pid, String which) throws IOException {
        return parse(Files.readString(Path.of("/proc/" + pid + "/" + which)));
    }

    /** The host id of {@code id} inside, or -1 when the mapping does not cover it. */
    public static long toHost(List<IdMapping> map, long id) {
        for (IdMapping m : map) {
            if (id >= m.inside && id < m.inside + m.count) {
                return m.host + (id - m.inside);
            }
        }
        return -1;
    }
}
