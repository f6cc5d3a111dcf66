package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

/**
 * The seccomp agent on real runtimes: a container whose network namespace
 * belongs to the host's user namespace (a Kubernetes pod) cannot mount sysfs,
 * and a nested user namespace cannot mount proc over masked paths, until
 * nestletd answers those mounts; nestlet's own mounts cannot be taken away.
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

    /** A busybox container with its own user namespace and CAP_SYS_ADMIN in it, as a system container gets. */
    private Spec systemSpec(Path rootfs, OciRuntime rt, String... args) {
        Spec spec = new Spec(rootfs, args).userns(500000 + rt.ordinal() * 65536L, 65536);
        ObjectNode caps = (ObjectNode) spec.json().path("process").path("capabilities");
        caps.fieldNames().forEachRemaining(set -> ((ArrayNode) caps.get(set)).add("CAP_SYS_ADMIN"));
        return spec;
    }

    /**
     * Joins the host-made network namespace (owned by the host's user namespace) and
     * binds the host's /sys, as rootless runtimes do: runc cannot mount a sysfs there.
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
                o.putArray("options").add("rbind").add("nosuid").add("noexec").add("nodev").add("ro");
            }
        }
        return spec;
    }

    /** busybox's words for EPERM: "permission denied (are you root?)" from mount, strerror elsewhere. */
    static boolean refused(String output) {
        String o = output.toLowerCase();
        return o.contains("permission denied (are you root?)") || o.contains("operation not permitted");
    }

    private Path write(ObjectNode config, String id) throws Exception {
        Path bundle = dir.resolve(id);
        Files.createDirectories(bundle);
        new com.fasterxml.jackson.databind.ObjectMapper().writeValue(bundle.resolve("config.json").toFile(), config);
        return bundle;
    }

    private Cmd.Result run(OciRuntime rt, ObjectNode config, String name) throws Exception {
        String id = TestDir.unique(name + "-" + rt.binary());
        return new Container(rt, dir.resolve("rt-root"), write(config, id), id).run();
    }

    /** A busybox rootfs with mount points the container's root (not the owner of the files) can use. */
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
        String script = "mount -t sysfs -o nosuid,nodev sysfs /mnt && ls /mnt/class/net"
                + " && test -d /mnt/devices && grep ' /mnt ' /proc/self/mountinfo";
        ObjectNode plain = inPodNetwork(systemSpec(rootfs("sysfs"), rt, "sh", "-c", script)).json();

        Cmd.Result without = run(rt, plain, "sysfs-plain");
        assertNotEquals(0, without.exit(), "without nestlet the kernel refuses:\n" + without.all());
        assertTrue(refused(without.all()), without.all());

        Cmd.Result with = run(rt, SeccompProfiles.withNotify(plain, daemon.seccompSocket()), "sysfs-notify");
        assertEquals(0, with.exit(), "with nestlet's listener the mount works:\n" + with.all() + daemon.log());
        List<String> lines = with.out().lines().toList();
        assertEquals("lo", lines.get(0), "a sysfs of the pod's network namespace, which has only lo: " + lines);
        String mountLine = lines.get(1);
        assertTrue(mountLine.contains(" - sysfs ") && mountLine.contains("nosuid") && mountLine.contains("nodev"),
                "a real sysfs with the requested flags: " + mountLine);
        assertTrue(daemon.log().contains("sysfs mounted on /mnt"), daemon.log());
    }
}
