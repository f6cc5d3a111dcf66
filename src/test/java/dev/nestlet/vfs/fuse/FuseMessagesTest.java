package dev.nestlet.vfs.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Decoding of fuse_in_header and encoding of every reply nestlet writes, at the offsets of
 * linux/fuse.h.
 */
class FuseMessagesTest {
    @Test
    void decodesHeaderAndName() {
        FuseRequest r =
                FuseFrames.decode(
                        FuseProtocol.LOOKUP, 42, 7, "meminfo\0".getBytes(StandardCharsets.UTF_8));
        assertEquals(FuseProtocol.LOOKUP, r.opcode());
        assertEquals(42, r.unique());
        assertEquals(7, r.nodeid());
        assertEquals(1000, r.uid());
        assertEquals(1001, r.gid());
        assertEquals(4242, r.pid());
        assertEquals("meminfo", r.name());
    }

    @Test
    void refusesTruncatedRequests() {
        ByteBuffer b = FuseFrames.request(FuseProtocol.GETATTR, 2, 1, new byte[16]);
        assertThrows(
                IllegalArgumentException.class,
                () -> FuseRequest.decode(b, 20),
                "shorter than a header");
        assertThrows(
                IllegalArgumentException.class,
                () -> FuseRequest.decode(b, 50),
                "length disagrees");
    }

    private static FuseReply reply() {
        return new FuseReply(ByteBuffer.allocateDirect(8192));
    }

    private static void header(FuseReply out, int len, int expectedLen, int error, long unique) {
        ByteBuffer b = out.buffer();
        assertEquals(expectedLen, len);
        assertEquals(len, b.getInt(0));
        assertEquals(error, b.getInt(4));
        assertEquals(unique, b.getLong(8));
    }

    @Test
    void errorIsANegatedErrno() {
        FuseReply out = reply();
        header(out, out.error(8, 2), 16, -2, 8);
    }

    @Test
    void entryAndAttr() {
        FuseReply out = reply();
        NodeAttr a =
                new NodeAttr(
                        9, 1234, FuseProtocol.S_IFREG | 0644, 1, 1_700_000_000L, 400000, 400001);
        header(out, out.entry(10, a, 1, 0), 16 + 128, 0, 10);
        ByteBuffer b = out.buffer();
        assertEquals(9, b.getLong(16), "nodeid");
        assertEquals(1, b.getLong(32), "entry_valid");
        assertEquals(0, b.getLong(40), "attr_valid");
        assertEquals(9, b.getLong(56), "attr.ino");
        assertEquals(1234, b.getLong(64), "attr.size");
        assertEquals(1_700_000_000L, b.getLong(88), "attr.mtime");
        assertEquals(FuseProtocol.S_IFREG | 0644, b.getInt(116), "attr.mode");
        assertEquals(1, b.getInt(120), "attr.nlink");
        assertEquals(400000, b.getInt(124), "attr.uid");
        assertEquals(400001, b.getInt(128), "attr.gid");

        header(out, out.attr(12, a, 3600), 16 + 104, 0, 12);
        assertEquals(3600, b.getLong(16), "attr_valid");
        assertEquals(1234, b.getLong(16 + 16 + 8), "attr.size");
    }

    @Test
    void openDataInitStatfs() {
        FuseReply out = reply();
        header(
                out,
                out.open(4, 77, FuseProtocol.FOPEN_DIRECT_IO | FuseProtocol.FOPEN_NOFLUSH),
                32,
                0,
                4);
        assertEquals(77, out.buffer().getLong(16));
        assertEquals(0x21, out.buffer().getInt(24));

        byte[] content = "0123456789".getBytes(StandardCharsets.US_ASCII);
        header(out, out.data(6, content, 3, 4), 20, 0, 6);
        byte[] got = new byte[4];
        out.buffer().get(16, got);
        assertEquals("3456", new String(got, StandardCharsets.US_ASCII));
        header(out, out.data(6, content, 8, 100), 18, 0, 6);
        header(out, out.data(6, content, 10, 100), 16, 0, 6);
        header(out, out.data(6, content, 1L << 40, 100), 16, 0, 6);

        header(out, out.written(5, 3), 24, 0, 5);
        assertEquals(3, out.buffer().getInt(16), "fuse_write_out.size");

        header(out, out.init(2, 38, 131072, 1, 4096), 16 + 64, 0, 2);
        assertEquals(7, out.buffer().getInt(16));
        assertEquals(38, out.buffer().getInt(20));
        assertEquals(131072, out.buffer().getInt(24));
        assertEquals(1, out.buffer().getInt(28));
        assertEquals(4096, out.buffer().getInt(36), "max_write");

        header(out, out.statfs(14), 16 + 80, 0, 14);
        assertEquals(4096, out.buffer().getInt(16 + 40), "bsize");
        assertEquals(255, out.buffer().getInt(16 + 44), "namelen");
    }

    @Test
    void direntsArePaddedAndBounded() {
        FuseReply out = reply();
        FuseReply.DirentWriter w = out.dirents(20, 56);
        assertEquals(true, w.dirent(5, 1, FuseProtocol.DT_DIR, "proc"), "24 + 4 -> 32 bytes");
        assertEquals(
                false,
                w.dirent(6, 2, FuseProtocol.DT_REG, "meminfo"),
                "24 + 7 -> 32 more is over 56");
        header(out, w.finish(), 16 + 32, 0, 20);
        ByteBuffer b = out.buffer();
        assertEquals(5, b.getLong(16));
        assertEquals(1, b.getLong(24), "off of the next entry");
        assertEquals(4, b.getInt(32));
        assertEquals(FuseProtocol.DT_DIR, b.getInt(36));
        assertEquals('p', b.get(40));
        assertEquals(0, b.get(44), "padding");
    }

    @Test
    void invalidateEntryNotification() {
        FuseReply out = reply();
        int len = out.invalidateEntry(1, "c1");
        header(out, len, 16 + 16 + 3, FuseProtocol.NOTIFY_INVAL_ENTRY, 0);
        assertEquals(1, out.buffer().getLong(16));
        assertEquals(2, out.buffer().getInt(24));
        assertEquals('c', out.buffer().get(32));
        assertEquals(0, out.buffer().get(34), "NUL after the name");
    }
}
