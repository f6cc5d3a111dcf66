package dev.nestlet.vfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.nestlet.cgroup.Recorded;
import dev.nestlet.sys.Errno;

/** The file system's answers to request sequences as the kernel sends them (no kernel involved). */
class VirtualFsTest {
    private VirtualFs fs;
    private final FuseReply out = new FuseReply(ByteBuffer.allocateDirect(64 * 1024));
    private long unique = 2;

    @BeforeEach
    void setUp() {
        fs = new VirtualFs(VirtualFs.allFiles(), new HostFiles(Recorded.HOST));
        fs.add(new ContainerView("c1", 258161, Recorded.v1()));
    }

    private int send(int opcode, long nodeid, byte[] body) {
        return fs.handle(FuseMessagesTest.decode(opcode, unique += 2, nodeid, body), out);
    }

    private int error() {
        return -out.buffer().getInt(4);
    }

    private static byte[] name(String n) {
        return (n + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ints(long a, long b, int c) {
        ByteBuffer x = ByteBuffer.allocate(40).order(ByteOrder.nativeOrder());
        x.putLong(0, a).putLong(8, b).putInt(16, c);
        return x.array();
    }

    private long lookup(long parent, String n) {
        send(FuseProtocol.LOOKUP, parent, name(n));
        assertEquals(0, error(), "lookup " + n);
        return out.buffer().getLong(16);
    }

    /** The file handle, or -errno. */
    private long open(long node, int flags) {
        send(FuseProtocol.OPEN, node, ints(flags, 0, 0));
        return error() == 0 ? out.buffer().getLong(16) : -error();
    }

    /** Reads a handle to its end in {@code chunk}-byte READs, as a reader with a small buffer would. */
    private byte[] readAll(long node, long fh, int chunk) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        while (true) {
            int len = send(FuseProtocol.READ, node, ints(fh, all.size(), chunk));
            assertEquals(0, error());
            if (len == 16) {
                return all.toByteArray();
            }
            byte[] part = new byte[len - 16];
            out.buffer().get(16, part);
            all.writeBytes(part);
        }
    }

    @Test
    void initNegotiatesTheOlderMinor() {
        send(FuseProtocol.INIT, 0, new byte[] {7, 0, 0, 0, 45, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0});
        assertEquals(0, error());
        assertEquals(38, out.buffer().getInt(20));
        assertEquals(FuseProtocol.FUSE_ASYNC_READ, out.buffer().getInt(28), "only flags both sides have");
        send(FuseProtocol.INIT, 0, new byte[] {7, 0, 0, 0, 22, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0});
        assertEquals(Errno.EPROTO, error(), "7.22 is too old");
    }

    @Test
    void snapshotPerOpenReadInSmallChunks() {
        long meminfo = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc"), "meminfo");
        long size = out.buffer().getLong(16 + 48);
        long fh = open(meminfo, 0);
        assertTrue(fh > 0);
        byte[] content = readAll(meminfo, fh, 100);
        assertEquals(size, content.length, "st_size is the length of what the open reads");
        assertTrue(new String(content, StandardCharsets.US_ASCII).startsWith("MemTotal:         262144 kB\n"));
        assertArrayEquals(content, readAll(meminfo, fh, 4096), "the same snapshot however it is read");
        send(FuseProtocol.RELEASE, meminfo, ints(fh, 0, 0));
        assertEquals(0, error());
        send(FuseProtocol.READ, meminfo, ints(fh, 0, 100));
        assertEquals(Errno.EBADF, error(), "released");
    }

    @Test
    void refusesEveryChange() {
        long proc = lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc");
        long meminfo = lookup(proc, "meminfo");
        assertEquals(-Errno.EACCES, open(meminfo, 1), "O_WRONLY");
        assertEquals(-Errno.EACCES, open(meminfo, 2), "O_RDWR");
        for (int op : new int[] {FuseProtocol.SETATTR, FuseProtocol.WRITE, FuseProtocol.CREATE, FuseProtocol.MKDIR,
                FuseProtocol.MKNOD, FuseProtocol.UNLINK, FuseProtocol.RMDIR, FuseProtocol.RENAME, FuseProtocol.LINK,
                FuseProtocol.SYMLINK, FuseProtocol.SETXATTR}) {
            send(op, proc, name("x"));
            assertEquals(Errno.EROFS, error(), "opcode " + op);
        }
        send(FuseProtocol.ACCESS, meminfo, ints(2, 0, 0));
        assertEquals(Errno.EROFS, error(), "access(W_OK)");
        send(52, meminfo, new byte[16]);
        assertEquals(Errno.ENOSYS, error(), "STATX: the kernel falls back to GETATTR");
        assertEquals(-1, send(FuseProtocol.FORGET, meminfo, new byte[8]), "FORGET takes no reply");
    }

    @Test
    void removedContainerAnswersEnoentButOpenSnapshotsStay() {
        long dir = lookup(FuseProtocol.ROOT_ID, "c1");
        long uptime = lookup(lookup(dir, "proc"), "uptime");
        long fh = open(uptime, 0);
        fs.remove("c1");
        assertEquals(-Errno.ENOENT, open(uptime, 0));
        send(FuseProtocol.GETATTR, uptime, new byte[16]);
        assertEquals(Errno.ENOENT, error());
        send(FuseProtocol.LOOKUP, FuseProtocol.ROOT_ID, name("c1"));
        assertEquals(Errno.ENOENT, error());
        assertEquals("7.55 7.10\n", new String(readAll(uptime, fh, 4096), StandardCharsets.US_ASCII));
    }

    @Test
    void openSnapshotsPerContainerAreBounded() {
        long loadavg = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc"), "loadavg");
        for (int i = 0; i < VirtualFs.MAX_OPEN_PER_CONTAINER; i++) {
            assertTrue(open(loadavg, 0) > 0);
        }
        assertEquals(-Errno.EMFILE, open(loadavg, 0));
    }

    @Test
    void readdirListsContainersAndFiles() {
        send(FuseProtocol.READDIR, FuseProtocol.ROOT_ID, ints(0, 0, 4096));
        assertEquals(0, error());
        String names = direntNames();
        assertEquals(". .. c1", names);
        long sys = lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "sys");
        long cpu = lookup(lookup(lookup(sys, "devices"), "system"), "cpu");
        send(FuseProtocol.READDIR, cpu, ints(0, 2, 4096));
        assertEquals("online", direntNames(), "from offset 2: after . and ..");
    }

    private String direntNames() {
        ByteBuffer b = out.buffer();
        int end = b.getInt(0);
        StringBuilder s = new StringBuilder();
        for (int p = 16; p < end;) {
            int n = b.getInt(p + 16);
            byte[] name = new byte[n];
            b.get(p + 24, name);
            s.append(s.length() == 0 ? "" : " ").append(new String(name, StandardCharsets.UTF_8));
            p += (24 + n + 7) & ~7;
        }
        return s.toString();
    }
}
