package dev.nestlet.vfs;

/**
 * /sys/devices/system/cpu/online: CPUs 0..N-1, N being how many the container is shown. glibc's
 * get_nprocs() and many runtimes count CPUs here. possible and present stay the kernel's: they
 * describe the hardware, and 0..N-1 is always a subset of them.
 */
public final class CpuOnlineFile implements VirtualFile {
    @Override
    public String path() {
        return "/sys/devices/system/cpu/online";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        int n = view.cgroup().cpuLimits().visible().length;
        TextOut out = new TextOut().append('0');
        if (n > 1) {
            out.append('-').append(n - 1);
        }
        return out.append('\n').bytes();
    }
}
