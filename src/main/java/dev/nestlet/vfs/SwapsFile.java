package dev.nestlet.vfs;

/**
 * /proc/swaps: the kernel's header, then one line for the container's swap when it has any. The
 * swap is not a device of its own, so it is named "none" with type "virtual" (as lxcfs does).
 */
public final class SwapsFile implements VirtualFile {
    @Override
    public String path() {
        return "/proc/swaps";
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        SwapSpace swap = SwapSpace.of(view.cgroup().memory(), host.meminfo());
        TextOut out = new TextOut().append("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
        if (swap.totalKb() > 0) {
            out.padRight("none", 40)
                    .append("virtual\t")
                    .append(swap.totalKb())
                    .append("\t\t")
                    .append(swap.usedKb())
                    .append("\t\t0\n");
        }
        return out.bytes();
    }
}
