package dev.nestlet.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.props.Cases;
import dev.nestlet.props.Gen;
import dev.nestlet.vfs.fuse.FuseFrames;
import dev.nestlet.vfs.fuse.FuseProtocol;
import dev.nestlet.vfs.fuse.FuseReply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The virtual file system under generated FUSE sessions: requests of every opcode (and unknown
 * ones) on nodes it knows, nodes it does not, handles it gave out and handles it never did, with
 * bodies shaped as the kernel lays them out but any values in them. Every request is answered with
 * a well-formed reply (its length, the request's unique, 0 or a negative errno) or, for those the
 * kernel expects none for, with none; nothing throws.
 */
class VirtualFsPropertyTest {
    /** Requests the kernel takes no reply for. */
    private static final Set<Integer> UNANSWERED =
            Set.of(FuseProtocol.FORGET, FuseProtocol.BATCH_FORGET, FuseProtocol.INTERRUPT);

    private static final int[] OPCODES = {
        FuseProtocol.LOOKUP, FuseProtocol.GETATTR, FuseProtocol.OPEN, FuseProtocol.READ,
        FuseProtocol.WRITE, FuseProtocol.RELEASE, FuseProtocol.OPENDIR, FuseProtocol.READDIR,
        FuseProtocol.RELEASEDIR, FuseProtocol.ACCESS, FuseProtocol.FLUSH, FuseProtocol.STATFS,
        FuseProtocol.FORGET, FuseProtocol.INTERRUPT, FuseProtocol.SETATTR, FuseProtocol.CREATE,
        FuseProtocol.INIT, FuseProtocol.FSYNC, FuseProtocol.MKDIR, FuseProtocol.UNLINK
    };

    /**
     * One request: {@code node} and {@code handle} pick among what the session learnt (negative: a
     * made-up one); {@code a}, {@code b}, {@code c} fill the body's fields.
     */
    record Req(int opcode, int node, int handle, long a, int b, String text) {}

    private static final List<String> WORDS =
            List.of(
                    "c1",
                    "proc",
                    "sys",
                    "meminfo",
                    "cpuinfo",
                    "uptime",
                    "stat",
                    "kernel",
                    "panic",
                    "net",
                    "ipv4",
                    "ip_forward",
                    "ip_local_port_range",
                    "devices",
                    "system",
                    "cpu",
                    "online",
                    "..",
                    ".",
                    "",
                    "1\n",
                    "-3",
                    "1024 2048\n",
                    "0x10",
                    "99999999999999999999");

    /** Up to 40 requests, of the opcodes above 10 times in 11. */
    static List<Req> session(SplittableRandom r) {
        List<Req> session = new ArrayList<>();
        for (int n = r.nextInt(41); n > 0; n--) {
            session.add(
                    new Req(
                            Gen.weighted(r, 10, 1) == 0
                                    ? OPCODES[r.nextInt(OPCODES.length)]
                                    : Gen.between(r, 0, 64),
                            Gen.between(r, -1, 40),
                            Gen.between(r, -1, 8),
                            Gen.between(r, 0L, 1L << 20),
                            Gen.between(r, 0, 32 * 4096),
                            Gen.weighted(r, 6, 1) == 0 ? Gen.pick(r, WORDS) : Gen.string(r, 30)));
        }
        return session;
    }

    @Test
    void everyRequestGetsAWellFormedReplyAndNothingThrows() {
        Cases.forAll(VirtualFsPropertyTest::session, VirtualFsPropertyTest::holds);
    }

    private static void holds(List<Req> session) {
        List<String> changes = new ArrayList<>();
        VirtualFs fs = VirtualFsTest.withOneContainer(changes);
        FuseReply out = new FuseReply(ByteBuffer.allocateDirect(16 + 32 * 4096));
        List<Long> nodes = new ArrayList<>(List.of((long) FuseProtocol.ROOT_ID));
        List<Long> handles = new ArrayList<>();
        long unique = 0;
        for (Req r : session) {
            unique += 2;
            long node = r.node() < 0 ? 1_000_000 + r.a() : nodes.get(r.node() % nodes.size());
            long fh =
                    r.handle() < 0 || handles.isEmpty()
                            ? r.a() * 7919
                            : handles.get(r.handle() % handles.size());
            int len = fs.handle(FuseFrames.decode(r.opcode(), unique, node, body(r, fh)), out);
            String ctx = r + " on node " + node + " fh " + fh;
            if (UNANSWERED.contains(r.opcode())) {
                assertEquals(-1, len, ctx);
                continue;
            }
            ByteBuffer b = out.buffer();
            assertTrue(len >= 16, ctx + ": " + len);
            assertEquals(len, b.getInt(0), ctx);
            int error = b.getInt(4);
            assertTrue(error <= 0 && error >= -4095, ctx + ": error " + error);
            assertEquals(unique, b.getLong(8), ctx);
            if (error == 0 && r.opcode() == FuseProtocol.LOOKUP) {
                nodes.add(b.getLong(16));
            }
            if (error == 0
                    && (r.opcode() == FuseProtocol.OPEN || r.opcode() == FuseProtocol.OPENDIR)) {
                handles.add(b.getLong(16));
            }
        }
    }

    /** The body of {@code r} as the kernel would lay it out for its opcode. */
    private static byte[] body(Req r, long fh) {
        byte[] text = r.text().getBytes(StandardCharsets.UTF_8);
        if (r.opcode() == FuseProtocol.LOOKUP) {
            byte[] name = new byte[text.length + 1];
            System.arraycopy(text, 0, name, 0, text.length);
            return name;
        }
        if (r.opcode() == FuseProtocol.WRITE) {
            ByteBuffer x =
                    ByteBuffer.allocate(FuseProtocol.WRITE_IN + text.length)
                            .order(ByteOrder.nativeOrder());
            x.putLong(0, fh).putLong(8, r.a() % 8).putInt(16, text.length);
            x.put(FuseProtocol.WRITE_IN, text);
            return x.array();
        }
        ByteBuffer x = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        if (r.opcode() == FuseProtocol.OPEN || r.opcode() == FuseProtocol.ACCESS) {
            x.putInt(0, (int) r.a() & 0x3);
        } else if (r.opcode() == FuseProtocol.INIT) {
            x.putInt(0, r.a() % 3 == 0 ? 6 : 7).putInt(4, r.b() % 40).putInt(8, r.b());
        } else {
            // READ, READDIR, RELEASE...: fh, offset, size
            x.putLong(0, fh).putLong(8, r.a()).putInt(16, r.b());
        }
        return x.array();
    }
}
