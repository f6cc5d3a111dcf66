package dev.nestlet.vfs;

import dev.nestlet.cgroup.IoStats;
import java.util.HashMap;
import java.util.Map;

/**
 * /proc/diskstats with the container's own I/O: one line per host device it did I/O on, in the
 * host's order and with the host line's number of fields. The cgroup counts requests, bytes and
 * discards; merges, times and queue depth it does not know, so they are 0.
 */
public final class DiskstatsFile implements VirtualFile {
    private static final int SECTOR = 512;

    @Override
    public String path() {
        return "/proc/diskstats";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        Map<Long, IoStats> io = new HashMap<>();
        for (IoStats s : view.cgroup().io()) {
            if (s.reads() + s.writes() + s.discards() + s.readBytes() + s.writeBytes() > 0) {
                io.put(key(s.major(), s.minor()), s);
            }
        }
        TextOut out = new TextOut();
        if (io.isEmpty()) {
            return out.bytes();
        }
        String text = host.diskstats();
        int i = 0;
        while (i < text.length()) {
            int eol = text.indexOf('\n', i);
            eol = eol < 0 ? text.length() : eol;
            // Only lines of devices the container used are split into fields.
            IoStats s = io.get(key(number(text, i, 0), number(text, i, 1)));
            if (s != null) {
                out.append(render(text.substring(i, eol).trim().split("\\s+"), s));
            }
            i = eol + 1;
        }
        return out.bytes();
    }

    /** The {@code n}th whitespace-separated number of the line starting at {@code from}. */
    private static int number(String text, int from, int n) {
        int p = from;
        for (int k = 0; ; k++) {
            while (p < text.length() && text.charAt(p) == ' ') {
                p++;
            }
            int v = 0;
            for (; p < text.length() && text.charAt(p) >= '0' && text.charAt(p) <= '9'; p++) {
                v = v * 10 + (text.charAt(p) - '0');
            }
            if (k == n) {
                return v;
            }
        }
    }

    /** One line with the host line's field count: major, minor, name, then the counters. */
    private static String render(String[] f, IoStats s) {
        long[] v = new long[f.length - 3];
        v[0] = s.reads();
        v[2] = s.readBytes() / SECTOR;
        v[4] = s.writes();
        v[6] = s.writeBytes() / SECTOR;
        if (v.length > 13) { // discard fields, since Linux 4.18
            v[11] = s.discards();
            v[13] = s.discardBytes() / SECTOR;
        }
        StringBuilder line = new StringBuilder();
        String major = f[0];
        String minor = f[1];
        line.append(" ".repeat(Math.max(0, 4 - major.length())))
                .append(major)
                .append(' ')
                .append(" ".repeat(Math.max(0, 7 - minor.length())))
                .append(minor)
                .append(' ')
                .append(f[2]);
        for (long x : v) {
            line.append(' ').append(x);
        }
        return line.append('\n').toString();
    }

    private static long key(int major, int minor) {
        return ((long) major << 32) | (minor & 0xffffffffL);
    }
}
