package dev.nestlet.sys;

/**
 * What statmount(2) says of one mount: its 64-bit id and its parent's (what listmount and statmount
 * take), the same two as the 32-bit ids mountinfo shows, its MOUNT_ATTR_* flags, and the strings:
 * root within its filesystem, mount point (from the root of the mount namespace asked about), fs
 * type with its subtype ("fuse.x", as mountinfo writes it) and source ("none" when it has none, as
 * mountinfo writes it).
 */
public record MountStat(
        long id,
        long parent,
        int oldId,
        int oldParent,
        long attributes,
        String root,
        String mountPoint,
        String fsType,
        String source) {}
