package dev.nestlet.vfs;

import java.util.HashMap;
import java.util.Map;

import dev.nestlet.cgroup.IoStats;

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
        for (String line : host.diskstats().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 7) {
                continue;
            }
            IoStats s = io.get(key(Integer.parseInt(f[0]), Integer.parseInt(f[1])));
            if (s == null) {
                continue;
            }
            long[] v = new long[f.length - 3];
            v[0] = s.reads();
            v[2] = s.readBytes() / SECTOR;
            v[4] = s.writes();
            v[6] = s.writeBytes() / SECTOR;
            if (v.length > 13) { // discard fields, since Linux 4.18
                v[11] = s.discards();
                v[13] = s.discardBytes() / SECTOR;
            }
            out.padLeft(Long.parseLong(f[0]), 4).append(' ').padLeft(Long.parseLong(f[1]), 7).append(' ').append(f[2]);
            for (long x : v) {
                out.append(' ').append(x);
            }
            out.append('\n');
        }
        return out.bytes();
    }

    private static long key(int major, int minor) {
        return ((long) major << 32) | (minor & 0xffffffffL);
    }
}
