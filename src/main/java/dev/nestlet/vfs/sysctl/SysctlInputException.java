package dev.nestlet.vfs.sysctl;

import dev.nestlet.sys.Errno;

/** A write a sysctl refuses, with the errno the kernel would return for it (EINVAL, ERANGE...). */
public final class SysctlInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public SysctlInputException(int errno) {
        super(Errno.name(errno));
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
