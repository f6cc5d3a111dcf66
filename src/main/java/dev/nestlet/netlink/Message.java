package dev.nestlet.netlink;

/**
 * One netlink message as read: the nlmsghdr's type, flags and sequence number, and the bytes after
 * the header (a family header, then attributes).
 */
record Message(int type, int flags, int seq, byte[] body) {}
