package dev.nestlet.vfs;

import dev.nestlet.cgroup.CpuUsage;

/**
 * /proc/uptime: seconds since the container's init started, and the idle time of the CPUs it is
 * shown over that time (uptime x CPUs minus the CPU time it used), so idle never exceeds what the
 * uptime allows and agrees with the idle column of the virtual /proc/stat.
 */
public final class UptimeFile implements VirtualFile {
    @Override
    public String path() {
        return "/proc/uptime";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        double up = view.uptimeSeconds(host.uptimeSeconds());
        int cpus = view.cgroup().cpuLimits().visible().length;
        CpuUsage used = view.cgroup().cpuUsage();
        double idle = Math.max(0, up * cpus - (used.userNs() + used.systemNs()) / 1e9);
        return new TextOut().fixed2(up).append(' ').fixed2(idle).append('\n').bytes();
    }
}
