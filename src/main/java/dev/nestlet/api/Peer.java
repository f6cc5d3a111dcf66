package dev.nestlet.api;

/** The process at the other end of a connection, from SO_PEERCRED. */
public record Peer(int pid, int uid, int gid) {}
