package dev.nestlet.cgroup;

import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.SysException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Kernel text files kept open and re-read with one pread at offset 0, which regenerates a seq_file:
 * a render then costs one system call per source instead of three (open, read, close). A file found
 * absent stays absent for the cache's life. After {@link #close} every read fails with ENOENT; the
 * lock keeps an fd from being closed (and its number reused) under a reader.
 */
public final class FileCache implements AutoCloseable {
    private final ConcurrentMap<Path, Optional<Fd>> fds = new ConcurrentHashMap<>();
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed;

    /** The file's text, or null when it does not exist. */
    public String textOrNull(Path file) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw new SysException("read", Errno.ENOENT, file.toString());
            }
            Optional<Fd> fd = fds.computeIfAbsent(file, FileCache::open);
            return fd.map(FileCalls::readText).orElse(null);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The file's text; a missing file is an ENOENT {@link SysException}. */
    public String text(Path file) {
        String t = textOrNull(file);
        if (t == null) {
            throw new SysException("open", Errno.ENOENT, file.toString());
        }
        return t;
    }

    private static Optional<Fd> open(Path file) {
        try {
            return Optional.of(FileCalls.open(file.toString(), FileCalls.O_RDONLY, 0));
        } catch (SysException e) {
            if (e.is(Errno.ENOENT)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            fds.values().forEach(fd -> fd.ifPresent(Fd::close));
            fds.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }
}
