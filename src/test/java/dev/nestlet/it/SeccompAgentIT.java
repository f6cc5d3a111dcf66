package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.Daemon;
import dev.nestlet.it.support.Mounts;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.Root;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.Spec;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.seccomp.SeccompProfiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The seccomp agent on real runtimes: a container whose network namespace belongs to the host's
 * user namespace (a Kubernetes pod) cannot mount sysfs, and a nested user namespace cannot mount
 * proc over masked paths, until nestletd answers those mounts; nestlet's own mounts cannot be taken
 * away.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeccompAgentIT {
    private TestDir dir;
    private Daemon daemon;
    private String netns;

    @BeforeAll
    void start() throws Exception {
        Root.require();
        dir = new TestDir("seccomp");
        netns = "nestlet-it-" + UUID.randomUUID().toString().substring(0, 8);
        Cmd.of("ip", "netns", "add", netns).run().ok();
        daemon = new Daemon(dir.path()).start();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (daemon != null) {
                daemon.close();
            }
        } finally {
            if (netns != null) {
                Cmd.of("ip", "netns", "delete", netns).run();
            }
            if (dir != null) {
                dir.close();
            }
        }
    }

    /**
     * A busybox container with its own user namespace and CAP_SYS_ADMIN in it, as a system
     * container gets.
     */
    private Spec systemSpec(Path rootfs, OciRuntime rt, String... args) {
        Spec spec = new Spec(rootfs, args).userns(500000 + rt.idOffset(), 65536);
        ObjectNode caps = (ObjectNode) spec.json().path("process").path("capabilities");
        caps.fieldNames().forEachRemaining(set -> ((ArrayNode) caps.get(set)).add("CAP_SYS_ADMIN"));
        return spec;
    }

    /**
     * Joins the host-made network namespace (owned by the host's user namespace) and binds the
     * host's /sys, as rootless runtimes do: runc cannot mount a sysfs there.
     */
    private Spec inPodNetwork(Spec spec) {
        for (var ns : spec.json().path("linux").path("namespaces")) {
            if (ns.path("type").asText().equals("network")) {
                ((ObjectNode) ns).put("path", "/var/run/netns/" + netns);
            }
        }
        for (var m : spec.json().path("mounts")) {
            if (m.path("destination").asText().equals("/sys")) {
                ObjectNode o = (ObjectNode) m;
                o.put("type", "none").put("source", "/sys");
                o.putArray("options")
                        .add("rbind")
                        .add("nosuid")
                        .add("noexec")
                        .add("nodev")
                        .add("ro");
            }
        }
        return spec;
    }

    /**
     * busybox's words for EPERM: "permission denied (are you root?)" from mount, strerror
     * elsewhere.
     */
    static boolean refused(String output) {
        String o = output.toLowerCase(Locale.ROOT);
        return o.contains("permission denied (are you root?)")
                || o.contains("operation not permitted");
    }

    private Path write(ObjectNode config, String id) throws Exception {
        Path bundle = dir.resolve(id);
        Files.createDirectories(bundle);
        new com.fasterxml.jackson.databind.ObjectMapper()
                .writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    private Cmd.Result run(OciRuntime rt, ObjectNode config, String name) throws Exception {
        String id = TestDir.unique(name + "-" + rt.binary());
        return new Container(rt, dir.resolve("rt-root"), write(config, id), id).run();
    }

    /**
     * A busybox rootfs with mount points the container's root (not the owner of the files) can use.
     */
    private Path rootfs(String name) throws Exception {
        Path root = Rootfs.busybox(dir.resolve(TestDir.unique(name) + "-rootfs"));
        for (String d : List.of("mnt", "mnt2", "x", "t")) {
            Files.createDirectories(root.resolve(d));
        }
        return root;
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void sysfsInAHostOwnedNetworkNamespace(OciRuntime rt) throws Exception {
        String script =
                "mount -t sysfs -o nosuid,nodev sysfs /mnt && ls /mnt/class/net"
                        + " && test -d /mnt/devices && grep ' /mnt ' /proc/self/mountinfo";
        ObjectNode plain = inPodNetwork(systemSpec(rootfs("sysfs"), rt, "sh", "-c", script)).json();

        Cmd.Result without = run(rt, plain, "sysfs-plain");
        assertNotEquals(0, without.exit(), "without nestlet the kernel refuses:\n" + without.all());
        assertTrue(refused(without.all()), without.all());

        Cmd.Result with =
                run(rt, SeccompProfiles.withNotify(plain, daemon.seccompSocket()), "sysfs-notify");
        assertEquals(
                0,
                with.exit(),
                "with nestlet's listener the mount works:\n" + with.all() + daemon.log());
        List<String> lines = with.out().lines().toList();
        assertEquals(
                "lo",
                lines.get(0),
                "a sysfs of the pod's network namespace, which has only lo: " + lines);
        String mountLine = lines.get(1);
        assertTrue(
                mountLine.contains(" - sysfs ")
                        && mountLine.contains("nosuid")
                        && mountLine.contains("nodev"),
                "a real sysfs with the requested flags: " + mountLine);
        assertTrue(daemon.logShows("sysfs mounted on /mnt", 5000), daemon.log());
    }

    /**
     * A nested user namespace (its mount namespace copy locks the container's masked paths) cannot
     * mount proc; nestlet gives it a proc of its own pid namespace that keeps the masks and
     * read-only paths.
     */
    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void procInANestedUserNamespaceKeepsMaskedPaths(OciRuntime rt) throws Exception {
        String nested =
                "unshare -Umpf --mount-proc sh -c 'echo self=$(readlink /proc/self)"
                        + " && cat /proc/timer_list && echo nested-masked'";
        Spec plain = systemSpec(rootfs("proc"), rt, "sh", "-c", nested);
        Cmd.Result without = run(rt, plain.json(), "proc-plain");
        assertNotEquals(
                0, without.exit(), "without nestlet the kernel refuses proc:\n" + without.all());
        assertTrue(
                without.all().contains("can't mount proc on /proc") && refused(without.all()),
                without.all());

        String script =
                "mount -t proc -o nosuid,nodev,noexec proc /mnt2 && cat /mnt2/timer_list && echo masked"
                        + " && grep ' /mnt2/sys ' /proc/self/mountinfo && "
                        + nested;
        Cmd.Result with =
                run(
                        rt,
                        SeccompProfiles.withNotify(
                                plain.args("sh", "-c", script).json(), daemon.seccompSocket()),
                        "proc-notify");
        assertEquals(0, with.exit(), with.all() + daemon.log());
        List<String> lines = with.out().lines().toList();
        assertEquals(
                "masked", lines.get(0), "/proc/timer_list is masked in the new proc too: " + lines);
        assertTrue(
                lines.get(1).contains(" ro,") || lines.get(1).contains(" ro "),
                "/proc/sys stays read-only in the new proc: " + lines.get(1));
        assertEquals(
                "self=2", lines.get(2), "the nested proc shows the nested pid namespace: " + lines);
        assertEquals("nested-masked", lines.get(3), with.all());
        assertTrue(daemon.logShows("proc mounted on /proc", 5000), daemon.log());
    }

    /**
     * A system container on the hook path (inner data dirs mounted by nestlet) with the notify
     * rule.
     */
    private Container protectedContainer(OciRuntime rt, boolean notify) throws Exception {
        String id = TestDir.unique((notify ? "prot-" : "unprot-") + rt.binary());
        Spec spec =
                systemSpec(rootfs(id), rt, "sleep", "300").system().nestletHooks(daemon.socket());
        ObjectNode config =
                notify
                        ? SeccompProfiles.withNotify(spec.json(), daemon.seccompSocket())
                        : spec.json();
        return new Container(rt, dir.resolve("rt-root"), write(config, id), id);
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void nestletsMountsCannotBeTakenAway(OciRuntime rt) throws Exception {
        try (Container plain = protectedContainer(rt, false)) {
            plain.startDetached();
            assertEquals(
                    0,
                    plain.exec("umount", "/var/lib/docker").exit(),
                    "without the agent the kernel lets the container unmount nestlet's data dir");
        }
        try (Container c = protectedContainer(rt, true)) {
            c.startDetached();
            for (String[] cmd :
                    List.of(
                            new String[] {"umount", "/var/lib/docker"},
                            new String[] {"umount", "-l", "/var/lib/containerd"},
                            new String[] {"mount", "-o", "remount,rw", "/var/lib/docker"},
                            new String[] {"mount", "-o", "remount,bind,ro", "/var/lib/buildkit"},
                            new String[] {"mount", "--move", "/var/lib/docker", "/x"},
                            new String[] {"unshare", "-m", "umount", "/var/lib/docker"})) {
                Cmd.Result r = c.exec(cmd);
                assertNotEquals(
                        0,
                        r.exit(),
                        String.join(" ", cmd) + " must fail:\n" + r.all() + daemon.log());
                assertTrue(refused(r.all()), String.join(" ", cmd) + ": " + r.all());
            }
            c.exec("sh", "-c", "mount -t tmpfs tmpfs /t && touch /t/f && umount /t").ok();
            Cmd.Result stacked =
                    c.exec(
                            "sh",
                            "-c",
                            "mount -t tmpfs tmpfs /var/lib/docker && umount /var/lib/docker");
            assertEquals(
                    0,
                    stacked.exit(),
                    "the container's own mount on top may go: " + stacked.all() + daemon.log());
            String mountinfo = c.exec("cat", "/proc/self/mountinfo").ok().out();
            for (String target :
                    List.of("/var/lib/docker", "/var/lib/containerd", "/var/lib/buildkit")) {
                assertTrue(
                        mountinfo
                                .lines()
                                .anyMatch(
                                        l ->
                                                l.split(" ")[4].equals(target)
                                                        && l.split(" ")[3].startsWith(
                                                                daemon.stateDir().toString())),
                        target + " is still nestlet's mount:\n" + mountinfo);
            }
            assertTrue(daemon.logShows("is protected", 5000), daemon.log());
        }
    }

    @org.junit.jupiter.api.Test
    void hostileInputLeavesTheAgentServingAndTheHostUntouched() throws Exception {
        long hostSysfsBefore =
                Mounts.mountInfoLines("self").stream().filter(l -> l.contains(" - sysfs ")).count();
        // Malformed listener messages: not JSON, JSON without fds, a message cut short.
        for (String junk :
                List.of(
                        "garbage",
                        "{}",
                        "{\"fds\":[\"seccompFd\"],\"state\":{\"id\":\"x\"}}",
                        "{\"fds\":[")) {
            try (var ch =
                    java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
                ch.connect(java.net.UnixDomainSocketAddress.of(daemon.seccompSocket()));
                ch.write(
                        java.nio.ByteBuffer.wrap(
                                junk.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        OciRuntime rt = OciRuntime.RUNC;
        String script =
                String.join(
                        "; ",
                        "mount -t sysfs sysfs /evil && test -d /tmp/devices && echo symlink-stays-inside",
                        "for i in $(seq 40); do mount -t sysfs sysfs /x 2>/dev/null & kill -9 $! 2>/dev/null; done; wait",
                        "while umount /x 2>/dev/null; do :; done",
                        "mount -t sysfs sysfs /mnt && ls /mnt/class/net");
        Path rootfs = rootfs("hostile");
        Files.createSymbolicLink(rootfs.resolve("evil"), Path.of("../../../../../../../../tmp"));
        Cmd.Result r =
                run(
                        rt,
                        SeccompProfiles.withNotify(
                                inPodNetwork(systemSpec(rootfs, rt, "sh", "-c", script)).json(),
                                daemon.seccompSocket()),
                        "hostile");
        assertEquals(0, r.exit(), r.all() + daemon.log());
        List<String> lines = r.out().lines().toList();
        assertEquals(
                List.of("symlink-stays-inside", "lo"),
                lines,
                "a symlink to .. resolves in the container's root;"
                        + " the agent still serves after killed callers: "
                        + r.all());
        assertTrue(daemon.alive(), "nestletd survived");
        assertTrue(daemon.logShows("refused a listener connection", 5000), daemon.log());
        long hostSysfsAfter =
                Mounts.mountInfoLines("self").stream().filter(l -> l.contains(" - sysfs ")).count();
        assertEquals(hostSysfsBefore, hostSysfsAfter, "no sysfs was mounted on the host");
        assertTrue(
                Mounts.mentioning(" /tmp ").stream().noneMatch(l -> l.contains(" - sysfs ")),
                "nothing on the host's /tmp");
    }

    @ParameterizedTest
    @EnumSource(OciRuntime.class)
    void dockersDefaultProfileMergedWithTheNotifyRule(OciRuntime rt) throws Exception {
        ObjectNode config =
                inPodNetwork(
                                systemSpec(
                                        rootfs("docker"),
                                        rt,
                                        "sh",
                                        "-c",
                                        "mount -t sysfs sysfs /mnt && ls /mnt/class/net && unshare -m true && echo engine-calls-ok"))
                        .json();
        ObjectNode docker;
        try (var in =
                SeccompAgentIT.class.getResourceAsStream(
                        "/dev/nestlet/seccomp/docker-20.10-config.json")) {
            docker = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        ((ObjectNode) config.path("linux")).set("seccomp", docker.path("linux").path("seccomp"));

        Cmd.Result dockerOnly = run(rt, config, "docker-plain");
        assertNotEquals(
                0, dockerOnly.exit(), "Docker's profile alone refuses mount:\n" + dockerOnly.all());

        Cmd.Result r =
                run(
                        rt,
                        SeccompProfiles.forSystemContainer(config, daemon.seccompSocket()),
                        "docker-notify");
        assertEquals(0, r.exit(), r.all() + daemon.log());
        assertEquals(List.of("lo", "engine-calls-ok"), r.out().lines().toList());
    }
}
