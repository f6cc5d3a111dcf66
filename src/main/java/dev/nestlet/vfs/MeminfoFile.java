package dev.nestlet.vfs;

import dev.nestlet.cgroup.CgroupText;
import dev.nestlet.cgroup.MemoryStats;
import java.util.HashMap;
import java.util.Map;

/**
 * /proc/meminfo from the container's memory cgroup. MemTotal is its limit (the host's total when
 * unlimited); what it has charged is used, the rest free. MemAvailable adds the page cache it can
 * reclaim (file LRU and reclaimable slab; tmpfs and shm are not reclaimable without swap). Lines
 * the cgroup has no counterpart for keep the host's values, in the host's order and layout.
 */
public final class MeminfoFile implements VirtualFile {
    private static final int NAME_COLUMNS = 16;

    @Override
    public String path() {
        return "/proc/meminfo";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        MemoryStats m = view.cgroup().memory();
        String hostText = host.meminfo();
        Map<String, Long> kb = values(m, hostText);
        TextOut out = new TextOut();
        int i = 0;
        while (i < hostText.length()) {
            int eol = hostText.indexOf('\n', i);
            if (eol < 0) {
                eol = hostText.length();
            }
            int colon = hostText.indexOf(':', i);
            Long v = colon > 0 && colon < eol ? kb.get(hostText.substring(i, colon)) : null;
            if (v == null) {
                out.append(hostText, i, eol).append('\n');
            } else {
                out.append(hostText, i, colon + 1);
                for (int pad = colon + 1 - i; pad < NAME_COLUMNS; pad++) {
                    out.append(' ');
                }
                out.padLeft(v, 8).append(" kB\n");
            }
            i = eol + 1;
        }
        return out.bytes();
    }

    /** The lines computed from the cgroup, in kB. */
    static Map<String, Long> values(MemoryStats m, String hostMeminfo) {
        long total = Math.min(kib(m.limit()), HostFiles.meminfoKb(hostMeminfo, "MemTotal"));
        long used = Math.min(kib(m.usage()), total);
        long free = total - used;
        long reclaimable = kib(m.activeFile() + m.inactiveFile() + m.slabReclaimable());
        SwapSpace swap = SwapSpace.of(m, hostMeminfo);
        Map<String, Long> v = new HashMap<>();
        v.put("MemTotal", total);
        v.put("MemFree", free);
        v.put("MemAvailable", Math.min(total, free + reclaimable));
        v.put("Buffers", 0L);
        v.put("Cached", Math.min(kib(m.file()), used));
        v.put("SwapCached", 0L);
        v.put("Active", kib(m.activeAnon() + m.activeFile()));
        v.put("Inactive", kib(m.inactiveAnon() + m.inactiveFile()));
        v.put("Active(anon)", kib(m.activeAnon()));
        v.put("Inactive(anon)", kib(m.inactiveAnon()));
        v.put("Active(file)", kib(m.activeFile()));
        v.put("Inactive(file)", kib(m.inactiveFile()));
        v.put("Unevictable", kib(m.unevictable()));
        v.put("SwapTotal", swap.totalKb());
        v.put("SwapFree", swap.totalKb() - swap.usedKb());
        v.put("Dirty", kib(m.dirty()));
        v.put("Writeback", kib(m.writeback()));
        v.put("AnonPages", kib(m.anon()));
        v.put("Mapped", kib(m.mapped()));
        v.put("Shmem", kib(m.shmem()));
        v.put("Slab", kib(m.slabReclaimable() + m.slabUnreclaimable()));
        v.put("SReclaimable", kib(m.slabReclaimable()));
        v.put("SUnreclaim", kib(m.slabUnreclaimable()));
        return v;
    }

    static long kib(long bytes) {
        return bytes == CgroupText.UNLIMITED ? Long.MAX_VALUE : bytes / 1024;
    }
}
