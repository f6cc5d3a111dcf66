package dev.nestlet.vfs;

import dev.nestlet.cgroup.FileCache;
import java.nio.file.Path;

/**
 * The host's own /proc and /sys files the virtual ones start from, read fresh on every call (kept
 * open). The root is "/" in nestletd and a recorded tree in unit tests.
 */
public final class HostFiles {
    /**
     * USER_HZ: the unit of /proc/stat and of a process's start time, 100 on every Linux ABI nestlet
     * runs on.
     */
    public static final int TICKS_PER_SECOND = 100;

    private final Path root;
    private final FileCache files = new FileCache();

    public HostFiles(Path root) {
        this.root = root;
    }

    public String read(String relative) {
        return files.text(root.resolve(relative));
    }

    /** The file's text, or null when the host has no such file. */
    public String textOrNull(String relative) {
        return files.textOrNull(root.resolve(relative));
    }

    public String meminfo() {
        return read("proc/meminfo");
    }

    public String cpuinfo() {
        return read("proc/cpuinfo");
    }

    public String stat() {
        return read("proc/stat");
    }

    public String diskstats() {
        return read("proc/diskstats");
    }

    /** Seconds since the host booted (first field of /proc/uptime). */
    public double uptimeSeconds() {
        String t = read("proc/uptime");
        return Double.parseDouble(t.substring(0, t.indexOf(' ')));
    }

    /**
     * The value of one "Name: 123 kB" line of the host's meminfo text, 0 when the line is absent.
     */
    public static long meminfoKb(String meminfo, String name) {
        int i = meminfo.startsWith(name + ":") ? 0 : meminfo.indexOf("\n" + name + ":");
        if (i < 0) {
            return 0;
        }
        int start = meminfo.indexOf(':', i) + 1;
        int end = meminfo.indexOf('\n', start);
        String v = meminfo.substring(start, end < 0 ? meminfo.length() : end).trim();
        int sp = v.indexOf(' ');
        return Long.parseLong(sp < 0 ? v : v.substring(0, sp));
    }
}
