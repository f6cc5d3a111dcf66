package dev.nestlet.sys;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import jnr.ffi.Pointer;

/** The unix-socket calls the JDK lacks: datagrams (sd_notify). */
public final class SocketCalls {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 02000000;
    private static final int SUN_PATH_MAX = 108;

    private SocketCalls() {}

    /** Sends one datagram to the unix socket {@code path}; a leading '@' names an abstract socket. */
    public static void sendDatagram(String path, byte[] message) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length >= SUN_PATH_MAX) {
            throw new IllegalArgumentException("socket path too long: " + path);
        }
        Pointer addr = Native.allocate(2 + SUN_PATH_MAX);
        addr.putShort(0, (short) AF_UNIX);
        addr.put(2, name, 0, name.length);
        if (name.length > 0 && name[0] == '@') {
            addr.putByte(2, (byte) 0);
        }
        int addrLen = 2 + name.length + (name[0] == '@' ? 0 : 1);
        try (Fd fd = new Fd(Native.check(Native.C.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket", path),
                path)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(message.length).put(message).flip();
            Native.check(Native.C.sendto(fd.get(), buf, message.length, 0, addr, addrLen), "sendto", path);
        }
    }
}
