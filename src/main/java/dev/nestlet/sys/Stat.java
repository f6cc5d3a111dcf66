package dev.nestlet.sys;

/** The parts of struct stat nestlet uses. */
public record Stat(long dev, long ino, int mode, int uid, int gid, long size) {
    public boolean isDirectory() {
        return (mode & FileCalls.S_IFMT) == FileCalls.S_IFDIR;
    }

    public boolean isSymlink() {
        return (mode & FileCalls.S_IFMT) == FileCalls.S_IFLNK;
    }

    public boolean isRegular() {
        return (mode & FileCalls.S_IFMT) == FileCalls.S_IFREG;
    }
}
