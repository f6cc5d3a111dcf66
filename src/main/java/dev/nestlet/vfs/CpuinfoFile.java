package dev.nestlet.vfs;

import dev.nestlet.cgroup.CpuLimits;

/**
 * /proc/cpuinfo with only the blocks of the CPUs the container is shown (its cpuset, cut by its
 * quota), renumbered from 0 in that order. Every other line of a block is the host's.
 */
public final class CpuinfoFile implements VirtualFile {
    private static final String PROCESSOR = "processor";

    @Override
    public String path() {
        return "/proc/cpuinfo";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        int[] visible = view.cgroup().cpuLimits().visible();
        String text = host.cpuinfo();
        int[] blockStart = new int[visible.length];
        int[] blockEnd = new int[visible.length];
        int i = 0;
        while (i < text.length()) {
            int end = text.indexOf("\n\n", i);
            end = end < 0 ? text.length() : end + 2;
            if (text.startsWith(PROCESSOR, i)) {
                int colon = text.indexOf(':', i);
                int eol = text.indexOf('\n', colon);
                int cpu = Integer.parseInt(text.substring(colon + 1, eol).trim());
                int j = CpuLimits.shownIndex(visible, cpu);
                if (j >= 0) {
                    blockStart[j] = eol;
                    blockEnd[j] = end;
                }
            }
            i = end;
        }
        TextOut out = new TextOut();
        for (int j = 0; j < visible.length; j++) {
            if (blockEnd[j] > 0) {
                out.append(PROCESSOR)
                        .append("\t: ")
                        .append(j)
                        .append(text, blockStart[j], blockEnd[j]);
            }
        }
        return out.bytes();
    }
}
