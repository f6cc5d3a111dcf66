package dev.nestlet.vfs;

/**
 * /proc/stat: a "cpu" line and one "cpuN" line per CPU the container is shown, from its own CPU
 * accounting; idle is the rest of its uptime on that CPU. The kernel's lines after them (intr,
 * ctxt, btime, processes, procs_*, softirq) are the host's: btime must stay the host's boot time
 * because process start times in /proc/PID/stat count from it.
 */
public final class StatFile implements VirtualFile {
    @Override
    public String path() {
        return "/proc/stat";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        int[] visible = view.cgroup().cpuLimits().visible();
        CpuTimes t = CpuTimes.of(view.cgroup().cpuUsage(), visible);
        long up = Math.round(view.uptimeSeconds(host.uptimeSeconds()) * HostFiles.TICKS_PER_SECOND);
        long[] idle = new long[visible.length];
        long user = 0;
        long system = 0;
        long idleSum = 0;
        for (int j = 0; j < visible.length; j++) {
            idle[j] = Math.max(0, up - t.user()[j] - t.system()[j]);
            user += t.user()[j];
            system += t.system()[j];
            idleSum += idle[j];
        }
        TextOut out = new TextOut();
        line(out.append("cpu  "), user, system, idleSum);
        for (int j = 0; j < visible.length; j++) {
            line(out.append("cpu").append(j).append(' '), t.user()[j], t.system()[j], idle[j]);
        }
        String text = host.stat();
        int i = 0;
        while (i < text.length()) {
            int eol = text.indexOf('\n', i);
            eol = eol < 0 ? text.length() : eol;
            if (!text.startsWith("cpu", i)) {
                out.append(text, i, eol).append('\n');
            }
            i = eol + 1;
        }
        return out.bytes();
    }

    /**
     * user nice system idle iowait irq softirq steal guest guest_nice: the cgroup knows three of
     * them.
     */
    private static void line(TextOut out, long user, long system, long idle) {
        out.append(user)
                .append(" 0 ")
                .append(system)
                .append(' ')
                .append(idle)
                .append(" 0 0 0 0 0 0\n");
    }
}
