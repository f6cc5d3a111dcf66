package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.ProcFiles;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.SubIds;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, the agent's gaps, in system containers made by nestlet-runtime (virtual files bound,
 * the seccomp listener served): nothing a container does with mount(2), umount2(2) or the new mount
 * API shows it the kernel's files where nestlet's are.
 */
class AgentGapsIT extends DaemonTest {
    private static final long MEMORY = 256L << 20;
    private static final long MEM_TOTAL_KB = MEMORY >> 10;

    @Override
    protected String name() {
        return "agent-gaps";
    }

    @Override
    protected String[] daemonArgs(Path testDir) throws Exception {
        return SubIds.pool(testDir, 6_000_000, 4 * 65536);
    }

    private Container system(String name, java.util.function.Consumer<Spec> adjust)
            throws Exception {
        String id = TestDir.unique(name);
        Path bundle = dir.resolve(id);
        Path rootfs = Rootfs.busybox(bundle.resolve("rootfs"));
        for (String d : List.of("x", "mnt2")) {
            Files.createDirectories(rootfs.resolve(d));
        }
        Path helper = rootfs.resolve("bin/newmount");
        Cmd.of(
                        "musl-gcc",
                        "-static",
                        "-O2",
                        "-o",
                        helper.toString(),
                        Path.of(AgentGapsIT.class.getResource("newmount.c").toURI()).toString())
                .run()
                .ok();
        Spec spec = new Spec(rootfs, "sleep", "300").resources(MEMORY, "1", 50_000, 100_000);
        adjust.accept(spec);
        spec.writeTo(bundle);
        Container c = Container.viaShim(OciRuntime.RUNC, daemon, dir.resolve("rt"), bundle, id);
        c.startDetached();
        return c;
    }

    private static long memTotal(Container c, String file) {
        return ProcFiles.meminfo(c.exec("cat", file).ok().out()).get("MemTotal");
    }

    @Test
    void lazyUnmountOfProcIsRefusedAndTheVirtualFilesStay() throws Exception {
        try (Container c = system("gap-umount", s -> {})) {
            assertEquals(MEM_TOTAL_KB, memTotal(c, "/proc/meminfo"));
            Cmd.Result r = c.exec("umount", "-l", "/proc");
            assertNotEquals(0, r.exit(), "umount -l /proc must fail: " + r.all() + daemon.log());
            assertTrue(SeccompAgentIT.refused(r.all()), r.all());
            assertEquals(
                    MEM_TOTAL_KB,
                    memTotal(c, "/proc/meminfo"),
                    "the virtual files are still in place");
            Cmd.Result plain = c.exec("umount", "/proc");
            assertNotEquals(0, plain.exit(), "a plain umount of /proc fails too: " + plain.all());
            assertEquals(MEM_TOTAL_KB, memTotal(c, "/proc/meminfo"));
            c.exec("sh", "-c", "mount -t tmpfs t /x && mount -t tmpfs u /x/ && umount -l /x").ok();
            c.kill();
            c.delete().ok();
        }
    }

    @Test
    void bindOfProcCarriesTheVirtualFiles() throws Exception {
        try (Container c = system("gap-bind", s -> {})) {
            c.exec("mount", "--bind", "/proc", "/x").ok();
            assertEquals(
                    MEM_TOTAL_KB,
                    memTotal(c, "/x/meminfo"),
                    "a bind of /proc shows nestlet's meminfo, "
                            + "not the host's: "
                            + daemon.log());
            assertTrue(
                    c.exec("cat", "/proc/self/mountinfo").ok().out().contains(" /x/meminfo "),
                    "the bind is recursive");
            c.exec("umount", "-l", "/x").ok();
            c.exec("mount", "--bind", "/tmp", "/x").ok();
            c.exec("umount", "/x").ok();
            c.kill();
            c.delete().ok();
        }
    }

    @Test
    void newMountApiFollowsTheSamePolicy() throws Exception {
        try (Container c = system("gap-newapi", s -> {})) {
            assertEquals(
                    "ENOSYS",
                    newmount(c, "fsopen", "proc"),
                    "fsopen(proc) sends callers to mount(2)");
            assertEquals("ENOSYS", newmount(c, "fsopen", "sysfs"));
            assertEquals(
                    "ok", newmount(c, "fsopen", "tmpfs"), "other filesystems go to the kernel");
            assertEquals(
                    "EPERM",
                    newmount(c, "open_tree", "/proc"),
                    "a non-recursive clone of /proc would drop " + "the virtual files");
            assertEquals("ok", newmount(c, "open_tree_rec", "/proc"), "a recursive one keeps them");
            assertEquals(
                    "EPERM",
                    newmount(c, "setattr_rw", "/proc/meminfo"),
                    "nestlet's bind keeps its flags");
            assertEquals(
                    "EPERM",
                    newmount(c, "fspick", "/proc/meminfo"),
                    "nor is its superblock reconfigured");
            assertEquals(
                    "ok",
                    newmount(c, "open_tree", "/tmp"),
                    "the container's own mounts are its own");
            c.kill();
            c.delete().ok();
        }
    }

    /** A container whose /proc is read-only: the proc nestlet mounts for it is read-only too. */
    @Test
    void emulatedProcKeepsTheTemplatesReadOnly() throws Exception {
        try (Container c =
                system(
                        "gap-ro",
                        s -> {
                            for (var m : s.json().path("mounts")) {
                                if (m.path("destination").asText().equals("/proc")) {
                                    ((ObjectNode) m)
                                            .putArray("options")
                                            .add("nosuid")
                                            .add("noexec")
                                            .add("nodev")
                                            .add("ro");
                                }
                            }
                        })) {
            c.exec("mount", "-t", "proc", "proc", "/mnt2").ok();
            String line = c.exec("sh", "-c", "grep ' /mnt2 ' /proc/self/mountinfo").ok().out();
            assertTrue(
                    line.contains(" - proc ") && (line.contains(" ro,") || line.contains(" ro ")),
                    "nestlet's proc is read-only like the container's: " + line + daemon.log());
            assertTrue(daemon.logShows("proc mounted on /mnt2", 5000), daemon.log());
            c.kill();
            c.delete().ok();
        }
    }

    private static String newmount(Container c, String call, String arg) {
        return c.exec("newmount", call, arg).out().trim();
    }
}
