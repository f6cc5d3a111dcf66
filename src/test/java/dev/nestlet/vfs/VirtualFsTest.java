package dev.nestlet.vfs;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.cgroup.Recorded;
import dev.nestlet.sys.Errno;
import dev.nestlet.vfs.fuse.FuseFrames;
import dev.nestlet.vfs.fuse.FuseProtocol;
import dev.nestlet.vfs.fuse.FuseReply;
import dev.nestlet.vfs.sysctl.SysctlCatalog;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The file system's answers to request sequences as the kernel sends them (no kernel involved). */
class VirtualFsTest {
    private VirtualFs fs;
    private final FuseReply out = new FuseReply(ByteBuffer.allocateDirect(64 * 1024));
    private long unique = 2;
    private final List<String> changes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        fs = withOneContainer(changes);
    }

    /**
     * Every file and sysctl, over recorded host files, with container c1 (recorded cgroup v1 tree);
     * accepted sysctl writes go to {@code changes}. Shared with {@link VirtualFsPropertyTest}.
     */
    static VirtualFs withOneContainer(List<String> changes) {
        List<VirtualFile> files = new ArrayList<>(VirtualFs.allFiles());
        SysctlCatalog.all(250).forEach(s -> files.add(new SysctlFile(s)));
        VirtualFs fs = new VirtualFs(files, new HostFiles(Recorded.HOST));
        Map<String, long[]> values = new LinkedHashMap<>();
        values.put("kernel.panic", new long[] {1});
        values.put("net.ipv4.ip_forward", new long[] {0});
        values.put("net.ipv4.ip_local_port_range", new long[] {32768, 60999});
        fs.add(new ContainerView("c1", 258161, Recorded.v1(), TestSysctls.of(values, changes)));
        return fs;
    }

    private int send(int opcode, long nodeid, byte[] body) {
        return fs.handle(FuseFrames.decode(opcode, unique += 2, nodeid, body), out);
    }

    private int error() {
        return -out.buffer().getInt(4);
    }

    private static byte[] name(String n) {
        return (n + "\0").getBytes(StandardCharsets.UTF_8);
    }

    /** fuse_write_in (fh, offset, size...) and the data. */
    private static byte[] write(long fh, long offset, String data) {
        byte[] d = data.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer x =
                ByteBuffer.allocate(FuseProtocol.WRITE_IN + d.length)
                        .order(ByteOrder.nativeOrder());
        x.putLong(0, fh).putLong(8, offset).putInt(16, d.length).put(FuseProtocol.WRITE_IN, d);
        return x.array();
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

    /** st_size in a GETATTR's answer (fuse_attr_out: valid, nsec, dummy, then fuse_attr). */
    private long getattrSize(long node) {
        send(FuseProtocol.GETATTR, node, new byte[16]);
        assertEquals(0, error(), "getattr");
        return out.buffer().getLong(16 + 16 + 8);
    }

    /** The file handle, or -errno. */
    private long open(long node, int flags) {
        send(FuseProtocol.OPEN, node, ints(flags, 0, 0));
        return error() == 0 ? out.buffer().getLong(16) : -error();
    }

    /**
     * Reads a handle to its end in {@code chunk}-byte READs, as a reader with a small buffer would.
     */
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
    void aBodyShorterThanItsOpcodesStructIsEinvalNotAnException() {
        for (int opcode :
                new int[] {
                    FuseProtocol.INIT,
                    FuseProtocol.OPEN,
                    FuseProtocol.ACCESS,
                    FuseProtocol.READ,
                    FuseProtocol.READDIR,
                    FuseProtocol.RELEASE,
                    FuseProtocol.WRITE
                }) {
            int least = FuseProtocol.leastBody(opcode);
            assertTrue(least > 0, "opcode " + opcode);
            send(opcode, FuseProtocol.ROOT_ID, new byte[least - 1]);
            assertEquals(Errno.EINVAL, error(), "opcode " + opcode);
        }
    }

    @Test
    void initNegotiatesTheOlderMinor() {
        send(FuseProtocol.INIT, 0, new byte[] {7, 0, 0, 0, 45, 0, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0});
        assertEquals(0, error());
        assertEquals(38, out.buffer().getInt(20));
        assertEquals(
                FuseProtocol.FUSE_ASYNC_READ,
                out.buffer().getInt(28),
                "only flags both sides have");
        send(FuseProtocol.INIT, 0, new byte[] {7, 0, 0, 0, 22, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0});
        assertEquals(Errno.EPROTO, error(), "7.22 is too old");
    }

    @Test
    void snapshotPerOpenReadInSmallChunks() {
        long meminfo = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc"), "meminfo");
        long size = getattrSize(meminfo); // the kernel's permission check before the open
        long fh = open(meminfo, 0);
        assertTrue(fh > 0);
        byte[] content = readAll(meminfo, fh, 100);
        assertEquals(size, content.length, "st_size is the length of what the open reads");
        assertTrue(
                new String(content, StandardCharsets.US_ASCII)
                        .startsWith("MemTotal:         262144 kB\n"));
        assertArrayEquals(
                content, readAll(meminfo, fh, 4096), "the same snapshot however it is read");
        send(FuseProtocol.RELEASE, meminfo, ints(fh, 0, 0));
        assertEquals(0, error());
        send(FuseProtocol.READ, meminfo, ints(fh, 0, 100));
        assertEquals(Errno.EBADF, error(), "released");
    }

    /**
     * Issue 13: a LOOKUP (nestletd's own, when it binds a container's files) renders nothing; its
     * size is the last render's, and the GETATTR the kernel sends before any use renders.
     */
    @Test
    void lookupDoesNotRender() {
        long proc = lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc");
        lookup(proc, "meminfo");
        assertEquals(0, out.buffer().getLong(16 + 48), "no render yet: size 0");
        long size = getattrSize(lookup(proc, "meminfo"));
        assertTrue(size > 0);
        lookup(proc, "meminfo");
        assertEquals(size, out.buffer().getLong(16 + 48), "the last render's size");
    }

    /**
     * Issue 11: a nestletd that takes over a kept FUSE connection adds each container again with
     * the node ids the previous one gave it, and reads on a handle the previous one opened.
     */
    @Test
    void aTakenOverConnectionKeepsNodeIdsAndOldHandles() {
        long base =
                lookup(FuseProtocol.ROOT_ID, "c1"); // the container's directory is its first node
        long meminfo = lookup(lookup(base, "proc"), "meminfo");
        List<VirtualFile> files = new ArrayList<>(VirtualFs.allFiles());
        SysctlCatalog.all(250).forEach(s -> files.add(new SysctlFile(s)));
        VirtualFs next = new VirtualFs(files, new HostFiles(Recorded.HOST));
        Map<String, long[]> values = new LinkedHashMap<>();
        values.put("kernel.panic", new long[] {1});
        values.put("net.ipv4.ip_forward", new long[] {0});
        values.put("net.ipv4.ip_local_port_range", new long[] {32768, 60999});
        ContainerView again =
                new ContainerView("c1", 258161, Recorded.v1(), TestSysctls.of(values, changes));
        next.reserve(base + fs.nodeCount("c1"));
        assertEquals(base, next.add(again, base), "the recorded first id");
        fs = next;
        assertEquals(
                meminfo,
                lookup(lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc"), "meminfo"),
                "the same file has the same node id");
        long oldHandle = 5; // opened under the previous nestletd, whose handles are older
        byte[] content = readAll(meminfo, oldHandle, 4096);
        assertTrue(
                new String(content, StandardCharsets.US_ASCII)
                        .startsWith("MemTotal:         262144 kB\n"));
        send(FuseProtocol.RELEASE, meminfo, ints(oldHandle, 0, 0));
        assertEquals(0, error());
        assertTrue(
                fs.add(
                                new ContainerView(
                                        "c2",
                                        258161,
                                        Recorded.v1(),
                                        TestSysctls.of(new LinkedHashMap<>(), changes)))
                        >= base + fs.nodeCount("c1"),
                "fresh ids never reuse a recorded block");
    }

    /**
     * Issue 13: a container prepared for nestlet-runtime has a stand-in view whose files the
     * runtime binds before its sysctls are known; its own view, added at createRuntime from the
     * same first id, gives those files the same node ids. Only files no sysctl's node precedes
     * qualify: the /proc files, not /sys/devices/system/cpu/online (after /proc/sys in the tree).
     */
    @Test
    void aPreparedContainersOwnViewKeepsTheNodeIdsOfItsStandIn() {
        ContainerView standIn = ContainerView.pending("c3");
        long base = fs.add(standIn, -1);
        List<String> procFiles =
                VirtualFs.allFiles().stream()
                        .map(VirtualFile::path)
                        .filter(p -> p.startsWith("/proc/"))
                        .toList();
        assertEquals(
                procFiles,
                fs.numberedAlikeInEveryView(standIn).stream().map(VirtualFile::path).toList());
        long proc = lookup(lookup(FuseProtocol.ROOT_ID, "c3"), "proc");
        Map<String, Long> before = new LinkedHashMap<>();
        for (String p : procFiles) {
            before.put(
                    p.substring("/proc/".length()), lookup(proc, p.substring("/proc/".length())));
        }
        assertEquals(0, getattrSize(before.get("meminfo")), "a stand-in reads empty");
        send(FuseProtocol.LOOKUP, proc, name("sys"));
        assertEquals(Errno.ENOENT, error(), "no sysctls yet");

        Map<String, long[]> values = new LinkedHashMap<>();
        values.put("kernel.panic", new long[] {1});
        ContainerView own =
                new ContainerView("c3", 258161, Recorded.v1(), TestSysctls.of(values, changes));
        assertEquals(base, fs.add(own, base));
        before.forEach(
                (n, id) -> assertEquals(id, lookup(proc, n), n + ": the runtime's bind names it"));
        assertTrue(getattrSize(before.get("meminfo")) > 0, "the container's own content");
        lookup(lookup(lookup(proc, "sys"), "kernel"), "panic");
        assertTrue(
                fs.add(ContainerView.pending("c4"), -1) >= base + fs.nodeCount("c3"),
                "a stand-in's block holds its own view");
    }

    @Test
    void refusesEveryChange() {
        long proc = lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc");
        long meminfo = lookup(proc, "meminfo");
        assertEquals(-Errno.EACCES, open(meminfo, 1), "O_WRONLY");
        assertEquals(-Errno.EACCES, open(meminfo, 2), "O_RDWR");
        long fh = open(meminfo, 0);
        send(FuseProtocol.WRITE, meminfo, write(fh, 0, "1"));
        assertEquals(Errno.EBADF, error(), "WRITE through a read-only handle");
        for (int op :
                new int[] {
                    FuseProtocol.SETATTR,
                    FuseProtocol.CREATE,
                    FuseProtocol.MKDIR,
                    FuseProtocol.MKNOD,
                    FuseProtocol.UNLINK,
                    FuseProtocol.RMDIR,
                    FuseProtocol.RENAME,
                    FuseProtocol.LINK,
                    FuseProtocol.SYMLINK,
                    FuseProtocol.SETXATTR
                }) {
            send(op, proc, name("x"));
            assertEquals(Errno.EROFS, error(), "opcode " + op);
        }
        send(FuseProtocol.ACCESS, meminfo, ints(2, 0, 0));
        assertEquals(Errno.EROFS, error(), "access(W_OK)");
        send(52, meminfo, new byte[16]);
        assertEquals(Errno.ENOSYS, error(), "STATX: the kernel falls back to GETATTR");
        assertEquals(-1, send(FuseProtocol.FORGET, meminfo, new byte[8]), "FORGET takes no reply");
    }

    private long node(String path) {
        long n = FuseProtocol.ROOT_ID;
        for (String part : ("c1" + path).split("/")) {
            n = lookup(n, part);
        }
        return n;
    }

    private String readFile(long node) {
        long fh = open(node, 0);
        assertTrue(fh > 0, "open: " + fh);
        return new String(readAll(node, fh, 4096), StandardCharsets.US_ASCII);
    }

    /** The answer to one write(2) of {@code data}: bytes taken, or -errno. */
    private int writeFile(long node, String data) {
        long fh = open(node, 1);
        assertTrue(fh > 0, "open for writing: " + fh);
        send(FuseProtocol.WRITE, node, write(fh, 0, data));
        return error() == 0 ? out.buffer().getInt(16) : -error();
    }

    @Test
    void sysctlReadsBackWhatWasWrittenAndIsTheContainerRootsFile() {
        long panic = node("/proc/sys/kernel/panic");
        assertEquals(FuseProtocol.S_IFREG | 0644, out.buffer().getInt(16 + 40 + 60), "mode");
        assertEquals(
                TestSysctls.ROOT, out.buffer().getInt(16 + 40 + 68), "owner: the container's root");
        assertEquals("1\n", readFile(panic));
        assertEquals(3, writeFile(panic, "10\n"));
        assertEquals("10\n", readFile(panic), "read back at once (no stale shared render)");
        assertEquals(List.of("kernel.panic=10"), changes);
        assertEquals(-Errno.EINVAL, writeFile(panic, "ten\n"));
        assertEquals(-Errno.EINVAL, writeFile(panic, "2147483648"));
        assertEquals("10\n", readFile(panic), "a refused write leaves the value");
        assertEquals(List.of("kernel.panic=10"), changes, "and tells nobody");
    }

    @Test
    void sysctlWriteAtAnOffsetIsIgnoredLikeTheKernels() {
        long panic = node("/proc/sys/kernel/panic");
        long fh = open(panic, 1);
        send(FuseProtocol.WRITE, panic, write(fh, 2, "7"));
        assertEquals(0, error());
        assertEquals(1, out.buffer().getInt(16), "reported as written");
        assertEquals("1\n", readFile(panic), "but ignored");
    }

    @Test
    void rangeAndSharedValues() {
        long range = node("/proc/sys/net/ipv4/ip_local_port_range");
        assertEquals("32768\t60999\n", readFile(range));
        assertEquals(-Errno.EINVAL, writeFile(range, "5000 4000"));
        assertEquals(5, writeFile(range, "3000\n"));
        assertEquals("3000\t60999\n", readFile(range), "one number changes the low end only");
        long forwarding = node("/proc/sys/net/ipv4/conf/all/forwarding");
        assertEquals(1, writeFile(forwarding, "1"));
        assertEquals(
                "1\n",
                readFile(node("/proc/sys/net/ipv4/ip_forward")),
                "one kernel variable, two files");
    }

    @Test
    void onlySysctlsTheContainerKeepsAreThere() {
        long ipv4 = node("/proc/sys/net/ipv4");
        send(FuseProtocol.LOOKUP, ipv4, name("route_localnet"));
        assertEquals(Errno.ENOENT, error(), "no value kept: the kernel's file stays");
        send(FuseProtocol.LOOKUP, node("/proc/sys"), name("vm"));
        assertEquals(Errno.ENOENT, error(), "no directory without files");
    }

    @Test
    void writeNeedsAHandleOpenedForWriting() {
        long panic = node("/proc/sys/kernel/panic");
        long fh = open(panic, 0);
        send(FuseProtocol.WRITE, panic, write(fh, 0, "5"));
        assertEquals(Errno.EBADF, error());
        long meminfo = node("/proc/meminfo");
        assertEquals(-Errno.EACCES, open(meminfo, 1), "the other files stay read-only");
        send(FuseProtocol.ACCESS, panic, ints(2, 0, 0));
        assertEquals(0, error(), "access(W_OK) of a sysctl");
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
        assertEquals(
                "7.55 7.10\n", new String(readAll(uptime, fh, 4096), StandardCharsets.US_ASCII));
    }

    @Test
    void openSnapshotsPerContainerAreBoundedByDefault() {
        long loadavg = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "c1"), "proc"), "loadavg");
        for (int i = 0; i < SnapshotLimits.DEFAULT_OPEN_PER_CONTAINER; i++) {
            assertTrue(open(loadavg, 0) > 0);
        }
        assertEquals(-Errno.EMFILE, open(loadavg, 0));
    }

    @Test
    void aContainerAtItsOpenCapGetsEmfileWhileItsNeighbourOpens() {
        fs = withContainers(new SnapshotLimits(3, 1 << 20), "a", "b");
        long a = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "a"), "proc"), "uptime");
        long b = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "b"), "proc"), "uptime");
        long first = open(a, 0);
        assertTrue(first > 0);
        assertTrue(open(a, 0) > 0);
        assertTrue(open(a, 0) > 0);
        assertEquals(-Errno.EMFILE, open(a, 0));
        long fromB = open(b, 0);
        assertTrue(fromB > 0, "b is not counted against a's cap");
        assertEquals("7.55 7.10\n", new String(readAll(b, fromB, 4096), US_ASCII));
        send(FuseProtocol.RELEASE, a, ints(first, 0, 0));
        assertTrue(open(a, 0) > 0, "a closed one: it may open one again");
    }

    @Test
    void openSnapshotsOfAllContainersShareOneByteBudget() {
        fs = withContainers(new SnapshotLimits(1000, 1 << 20), "a", "b");
        long a = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "a"), "proc"), "uptime");
        long cost = getattrSize(a) + VirtualFs.OPEN_OVERHEAD_BYTES;
        fs = withContainers(new SnapshotLimits(1000, 2 * cost + cost / 2), "a", "b");
        a = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "a"), "proc"), "uptime");
        long b = lookup(lookup(lookup(FuseProtocol.ROOT_ID, "b"), "proc"), "uptime");
        long held = open(a, 0);
        assertTrue(held > 0);
        assertTrue(open(b, 0) > 0);
        assertEquals(2 * cost, fs.snapshotBytes());
        assertEquals(-Errno.EAGAIN, open(a, 0), "the budget is spent: refused, not an error");
        assertEquals(-Errno.EAGAIN, open(b, 0));
        send(FuseProtocol.RELEASE, a, ints(held, 0, 0));
        assertEquals(cost, fs.snapshotBytes(), "a release gives its bytes back");
        assertTrue(open(b, 0) > 0);
    }

    /** Containers over the recorded v1 tree, with {@code limits}. */
    private VirtualFs withContainers(SnapshotLimits limits, String... ids) {
        VirtualFs many = new VirtualFs(VirtualFs.allFiles(), new HostFiles(Recorded.HOST), limits);
        for (String id : ids) {
            many.add(
                    new ContainerView(
                            id, 258161, Recorded.v1(), TestSysctls.of(Map.of(), changes)));
        }
        return many;
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
        for (long offset : new long[] {-1, Long.MIN_VALUE, 4, (1L << 32) + 1}) {
            send(FuseProtocol.READDIR, cpu, ints(0, offset, 4096));
            assertEquals(0, error(), "offset " + offset);
            assertEquals("", direntNames(), "an offset never given out is past the end");
        }
    }

    private String direntNames() {
        ByteBuffer b = out.buffer();
        int end = b.getInt(0);
        StringBuilder s = new StringBuilder();
        for (int p = 16; p < end; ) {
            int n = b.getInt(p + 16);
            byte[] name = new byte[n];
            b.get(p + 24, name);
            s.append(s.length() == 0 ? "" : " ").append(new String(name, StandardCharsets.UTF_8));
            p += (24 + n + 7) & ~7;
        }
        return s.toString();
    }
}
