package dev.nestlet.sys;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * Holds the one jnr-ffi binding of libc ({@link LibC}) and is the one place where a failed call's
 * errno becomes a {@link SysException}.
 */
final class Native {
    /**
     * The one jnr-ffi binding of the C library. Reachable only through this package-private class:
     * callers use the typed wrappers in this package, which turn errno into {@link SysException}.
     * System calls glibc does not wrap go through {@code syscall(2)}; the overloads below differ
     * only in how each argument is passed.
     */
    public interface LibC {
        int mount(String source, String target, String fstype, long flags, String data);

        int umount2(String target, int flags);

        int unshare(int flags);

        int chdir(String path);

        int setns(int fd, int nstype);

        int open(String path, int flags, int mode);

        int openat(int dirfd, String path, int flags, int mode);

        int close(int fd);

        @ssize_t
        long read(int fd, @Out ByteBuffer buf, @size_t long count);

        @ssize_t
        long write(int fd, @In ByteBuffer buf, @size_t long count);

        @ssize_t
        long pread(int fd, @Out ByteBuffer buf, @size_t long count, long offset);

        int mkdirat(int dirfd, String path, int mode);

        int mknodat(int dirfd, String path, int mode, long dev);

        int unlinkat(int dirfd, String path, int flags);

        int fchownat(int dirfd, String path, int uid, int gid, int flags);

        int fchown(int fd, int uid, int gid);

        int fchmod(int fd, int mode);

        int fstatat(int dirfd, String path, Pointer statbuf, int flags);

        int statx(int dirfd, String path, int flags, int mask, Pointer statxbuf);

        @ssize_t
        long readlinkat(int dirfd, String path, @Out ByteBuffer buf, @size_t long size);

        int ioctl(int fd, long request, Pointer arg);

        int poll(Pointer fds, long nfds, int timeout);

        int kill(int pid, int sig);

        int getpid();

        int umask(int mask);

        int gettid();

        int clock_gettime(int clockid, @Out ByteBuffer ts);

        int prctl(int option, long arg2, long arg3, long arg4, long arg5);

        // a thread's CPUs: nestletd works for a container on that container's CPUs
        int sched_getaffinity(int pid, @size_t long cpusetsize, @Out ByteBuffer mask);

        int sched_setaffinity(int pid, @size_t long cpusetsize, @In ByteBuffer mask);

        int socket(int domain, int type, int protocol);

        @ssize_t
        long sendto(
                int fd, @In ByteBuffer buf, @size_t long len, int flags, Pointer addr, int addrlen);

        @ssize_t
        long recvmsg(int fd, Pointer msghdr, int flags);

        @ssize_t
        long process_vm_readv(
                int pid, Pointer local, long liovcnt, Pointer remote, long riovcnt, long flags);

        String strerror(int errnum);

        // seccomp agent: listener socket, epoll over notify fds, path work in other namespaces
        int bind(int fd, Pointer addr, int addrlen);

        int listen(int fd, int backlog);

        int accept4(int fd, Pointer addr, Pointer addrlen, int flags);

        int shutdown(int fd, int how);

        int setsockopt(int fd, int level, int optname, Pointer optval, int optlen);

        // fd keeping across restarts (nestlet-keeper, systemd's fd store)
        int connect(int fd, Pointer addr, int addrlen);

        int renameat(int olddirfd, String oldpath, int newdirfd, String newpath);

        // one serving nestletd per state dir (STATE/run/serving.lock)
        int flock(int fd, int operation);

        @ssize_t
        long sendmsg(int fd, Pointer msghdr, int flags);

        int epoll_create1(int flags);

        int epoll_ctl(int epfd, int op, int fd, Pointer event);

        int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

        // syscall(2) overloads, one shape per kernel call that glibc 2.36 lacks
        long syscall(long nr, int a1, int a2); // pidfd_open

        long syscall(long nr, int a1, int a2, Pointer a3, int a4); // pidfd_send_signal

        long syscall(long nr, int a1, String a2, int a3); // open_tree

        long syscall(long nr, int a1, String a2, int a3, String a4, int a5); // move_mount

        long syscall(long nr, int a1, String a2, int a3, Pointer a4, long a5); // mount_setattr

        long syscall(long nr, int a1, String a2, Pointer a3, long a4); // openat2

        long syscall(long nr, String a1, int a2); // fsopen

        long syscall(long nr, int a1, int a2, String a3, String a4, int a5); // fsconfig

        long syscall(long nr, int a1, int a2, int a3); // fsmount, pidfd_getfd

        long syscall(long nr, int a1, int a2, Pointer a3); // seccomp

        long syscall(long nr, Pointer a1, Pointer a2); // capget, capset

        long syscall(long nr, Pointer a1, Pointer a2, long a3, int a4); // statmount, listmount
    }

    static final LibC C = LibraryLoader.create(LibC.class).load("c");
    static final Runtime RT = Runtime.getRuntime(C);

    private Native() {}

    /** Returns {@code rc} when it is not negative, else throws with the current errno. */
    static int check(int rc, String syscall, String path) {
        if (rc < 0) {
            throw new SysException(syscall, RT.getLastError(), path);
        }
        return rc;
    }

    static long check(long rc, String syscall, String path) {
        if (rc < 0) {
            throw new SysException(syscall, RT.getLastError(), path);
        }
        return rc;
    }

    static int errno() {
        return RT.getLastError();
    }

    static Pointer allocate(int size) {
        return Memory.allocateDirect(RT, size, true);
    }
}
