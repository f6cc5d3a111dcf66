package dev.nestlet.vfs;

/**
 * /proc/loadavg from the container's own threads, as {@link LoadSampler} last sampled them:
 * 1/5/15-minute averages, runnable/total threads, and its pid namespace's highest thread id.
 */
public final class LoadavgFile implements VirtualFile {
    @Override
    public String path() {
        return "/proc/loadavg";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        LoadAverage l = view.load();
        return new TextOut()
                .fixed2(l.avg1())
                .append(' ')
                .fixed2(l.avg5())
                .append(' ')
                .fixed2(l.avg15())
                .append(' ')
                .append(l.running())
                .append('/')
                .append(l.total())
                .append(' ')
                .append(l.lastPid())
                .append('\n')
                .bytes();
    }
}
