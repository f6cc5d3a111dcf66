package dev.nestlet.it.support;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parsing of the /proc files tests read inside containers. */
public final class ProcFiles {
    /** Every virtual file nestlet binds into a system container. */
    public static final List<String> VIRTUAL =
            List.of(
                    "/proc/meminfo",
                    "/proc/cpuinfo",
                    "/proc/stat",
                    "/proc/uptime",
                    "/proc/loadavg",
                    "/proc/swaps",
                    "/proc/diskstats",
                    "/sys/devices/system/cpu/online");

    private ProcFiles() {}

    /** "Name: 123 kB" lines as name -> number. */
    public static Map<String, Long> meminfo(String text) {
        Map<String, Long> out = new HashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(
                        line.substring(0, colon),
                        Long.parseLong(line.substring(colon + 1).trim().split("\\s+")[0]));
            }
        }
        return out;
    }

    /** "processor : N" blocks of a cpuinfo text. */
    public static long processors(String cpuinfo) {
        return cpuinfo.lines().filter(l -> l.startsWith("processor")).count();
    }

    /** The per-CPU "cpuN" lines of a /proc/stat text. */
    public static List<String> perCpuLines(String stat) {
        return stat.lines().filter(l -> l.matches("cpu[0-9]+ .*")).toList();
    }

    /** How many CPUs a list such as "0-3,8" names. */
    public static int cpuCount(String list) {
        int n = 0;
        for (String part : list.trim().split(",")) {
            String[] r = part.split("-");
            n += r.length == 1 ? 1 : Integer.parseInt(r[1]) - Integer.parseInt(r[0]) + 1;
        }
        return n;
    }

    /** The first field of /proc/uptime. */
    public static double uptime(String text) {
        return Double.parseDouble(text.trim().split("\\s+")[0]);
    }
}
