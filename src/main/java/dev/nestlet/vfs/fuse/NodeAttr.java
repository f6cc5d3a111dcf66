package dev.nestlet.vfs.fuse;

/**
 * The attributes of a node as fuse_attr carries them; times in seconds since the epoch, host uid
 * and gid.
 */
public record NodeAttr(long ino, long size, int mode, int nlink, long time, int uid, int gid) {}
