package dev.nestlet.vfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
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
        Session s = new Session();
        for (Req r : session) {
            long node = s.node(r.node(), 1_000_000 + r.a());
            long fh = s.handle(r.handle(), r.a() * 7919);
            s.send(r.opcode(), node, body(r, fh), r + " on node " + node + " fh " + fh);
        }
    }

    /**
     * Coverage-guided ({@code make fuzz}): a session whose opcodes, node and handle picks and raw
     * bodies all come from the fuzzer. A body that starts with a handle field gets a handle the
     * session gave out (or a made-up one) there, so reads and writes reach the open files.
     */
    @FuzzTest(maxDuration = "2m")
    void rawBodiesGetWellFormedRepliesAndNothingThrows(FuzzedDataProvider data) {
        Session s = new Session();
        for (int n = 0; n < 40 && data.remainingBytes() > 0; n++) {
            int opcode = data.consumeBoolean() ? data.pickValue(OPCODES) : data.consumeInt(0, 64);
            long node = s.node(data.consumeInt(-1, 40), data.consumeLong());
            long fh = s.handle(data.consumeInt(-1, 8), data.consumeLong());
            byte[] body = data.consumeBytes(data.consumeInt(0, 4096));
            if (body.length >= 8 && opcode != FuseProtocol.LOOKUP) {
                ByteBuffer.wrap(body).order(ByteOrder.nativeOrder()).putLong(0, fh);
            }
            s.send(opcode, node, body, "opcode " + opcode + " on node " + node + " fh " + fh);
        }
    }

    /** One FUSE session with one container's tree: what it learnt, and every reply checked. */
    private static final class Session {
        private final VirtualFs fs = VirtualFsTest.withOneContainer(new ArrayList<>());
        private final FuseReply out = new FuseReply(ByteBuffer.allocateDirect(16 + 32 * 4096));
        private final List<Long> nodes = new ArrayList<>(List.of((long) FuseProtocol.ROOT_ID));
        private final List<Long> handles = new ArrayList<>();
        private long unique;

        /** A node the session learnt ({@code pick} >= 0), else {@code madeUp}. */
        long node(int pick, long madeUp) {
            return pick < 0 ? madeUp : nodes.get(pick % nodes.size());
        }

        /**
         * A handle the session was given ({@code pick} >= 0 and one exists), else {@code madeUp}.
         */
        long handle(int pick, long madeUp) {
            return pick < 0 || handles.isEmpty() ? madeUp : handles.get(pick % handles.size());
        }

        void send(int opcode, long node, byte[] body, String ctx) {
            unique += 2;
            int len = fs.handle(FuseFrames.decode(opcode, unique, node, body), out);
            if (UNANSWERED.contains(opcode)) {
                assertEquals(-1, len, ctx);
                return;
            }
            ByteBuffer b = out.buffer();
            assertTrue(len >= 16, ctx + ": " + len);
            assertEquals(len, b.getInt(0), ctx);
            int error = b.getInt(4);
            assertTrue(error <= 0 && error >= -4095, ctx + ": error " + error);
            assertEquals(unique, b.getLong(8), ctx);
            if (error == 0 && opcode == FuseProtocol.LOOKUP) {
                nodes.add(b.getLong(16));
            }
            if (error == 0 && (opcode == FuseProtocol.OPEN || opcode == FuseProtocol.OPENDIR)) {
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
