package dev.nestlet.vfs;

import dev.nestlet.vfs.sysctl.SysctlSpec;

/**
 * One sysctl of a system container: reads show the container's own value, writes change it
 * (validated as the kernel would) and never reach the kernel's, except for a raise the operator
 * allowed ({@link HostSysctlRaises}). Present only in containers that keep a value for it.
 */
final class SysctlFile implements WritableFile {
    private final SysctlSpec spec;

    SysctlFile(SysctlSpec spec) {
        this.spec = spec;
    }

    @Override
    public String path() {
        return spec.path();
    }

    @Override
    public boolean appliesTo(ContainerView view) {
        return view.sysctls().has(spec);
    }

    @Override
    public byte[] render(ContainerView view, HostFiles host) {
        return view.sysctls().render(spec);
    }

    @Override
    public int write(ContainerView view, long offset, byte[] data) {
        return view.sysctls().write(spec, offset, data);
    }
}
