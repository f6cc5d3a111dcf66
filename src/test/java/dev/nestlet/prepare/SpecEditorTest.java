package dev.nestlet.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.lifecycle.ConfigBind;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecEditorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode docker() throws Exception {
        return (ObjectNode)
                JSON.readTree(
                        """
                {"ociVersion":"1.0.2","process":{"capabilities":{"bounding":["CAP_KILL"]}},
                 "root":{"path":"/var/lib/docker/overlay2/x/merged"},
                 "hooks":{"prestart":[{"path":"/usr/bin/docker-proxy"}]},
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                   {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid"]},
                   {"destination":"/etc/hosts","type":"bind","source":"/var/lib/docker/containers/x/hosts","options":["rbind","rprivate"]},
                   {"destination":"/data","source":"/srv/data","options":["bind"]},
                   {"destination":"/dev/fuse","type":"bind","source":"/dev/fuse","options":["bind"]}],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"mount"}],"seccomp":{"defaultAction":"SCMP_ACT_ERRNO"}},
                 "extra":{"kept":true}}""");
    }

    @Test
    void systemContainerEdits() throws Exception {
        ObjectNode c = docker();
        SpecEditor.setUserNamespace(c, new IdRange(100000, 200000, 65536));
        SpecEditor.addCgroupNamespace(c);
        SpecEditor.fullCapabilities(c);
        SpecEditor.writableCgroupMount(c);
        SpecEditor.addHooks(c, Path.of("/h"), Path.of("/s"), List.of("createRuntime", "prestart"));
        SpecEditor.markSystem(c);
        assertEquals(
                Optional.of(new IdRange(100000, 200000, 65536)), SpecEditor.existingMapping(c));
        assertEquals("[\"nosuid\"]", c.at("/mounts/1/options").toString());
        assertEquals(SpecEditor.ALL_CAPS.size(), c.at("/process/capabilities/effective").size());
        assertEquals("/h", c.at("/hooks/prestart/0/path").asText(), "nestlet's hook first");
        assertEquals(
                "/usr/bin/docker-proxy",
                c.at("/hooks/prestart/1/path").asText(),
                "the engine's kept");
        assertEquals("NESTLET_SOCKET=/s", c.at("/hooks/createRuntime/0/env/0").asText());
        assertEquals("system", SpecEditor.annotation(c, "io.nestlet.mode"));
        assertEquals(true, c.at("/extra/kept").asBoolean(), "unknown fields survive");
        assertEquals("SCMP_ACT_ERRNO", c.at("/linux/seccomp/defaultAction").asText());
        long cgroupNs = 0;
        for (var ns : c.at("/linux/namespaces")) {
            cgroupNs += ns.path("type").asText().equals("cgroup") ? 1 : 0;
        }
        assertEquals(1, cgroupNs);
    }

    @Test
    void hostBindsAreTheVolumesAndNotKernelPaths() throws Exception {
        ObjectNode c = docker();
        var binds = SpecEditor.hostBinds(c);
        assertEquals(
                List.of("/etc/hosts", "/data"), binds.stream().map(b -> b.destination()).toList());
        assertTrue(binds.get(0).recursive());
        SpecEditor.setHostBindSources(c, List.of(Path.of("/n/vol/0"), Path.of("/n/vol/1")));
        assertEquals("/n/vol/0", c.at("/mounts/2/source").asText());
        assertEquals("/n/vol/1", c.at("/mounts/3/source").asText());
        assertEquals("/dev/fuse", c.at("/mounts/4/source").asText());
    }

    @Test
    void joinedNetworkNamespaceGetsTheHostsSysBound() throws Exception {
        ObjectNode c =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"mounts":[{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","ro"]}],
                 "linux":{"namespaces":[{"type":"network","path":"/var/run/netns/pod"}],
                          "readonlyPaths":["/proc/bus","/proc/sys"]}}""");
        assertTrue(SpecEditor.bindSysWhenNetnsIsJoined(c));
        assertEquals(
                "{\"destination\":\"/sys\",\"type\":\"bind\",\"source\":\"/sys\",\"options\":[\"rbind\",\"nosuid\",\"ro\"]}",
                c.at("/mounts/0").toString());
        SpecEditor.writableProcSys(c);
        assertEquals("[\"/proc/bus\"]", c.at("/linux/readonlyPaths").toString());
        ObjectNode own =
                (ObjectNode)
                        JSON.readTree(
                                "{\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\"}],"
                                        + "\"linux\":{\"namespaces\":[{\"type\":\"network\"}]}}");
        assertTrue(
                !SpecEditor.bindSysWhenNetnsIsJoined(own),
                "its own network namespace keeps a real sysfs");
    }

    @Test
    void tunDeviceIsBoundAndAllowedWhereTheEngineRestrictsDevices() throws Exception {
        Path node = Path.of("/var/lib/nestlet/devices/net-tun");
        ObjectNode c =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"mounts":[{"destination":"/dev","type":"tmpfs","source":"tmpfs"}],
                 "linux":{"resources":{"devices":[{"allow":false,"access":"rwm"},
                    {"allow":false,"type":"c","major":10,"minor":200,"access":"rwm"}]}}}""");
        assertTrue(SpecEditor.addTunDevice(c, node));
        assertEquals(
                "{\"destination\":\"/dev/net/tun\",\"type\":\"bind\","
                        + "\"source\":\"/var/lib/nestlet/devices/net-tun\","
                        + "\"options\":[\"bind\",\"nosuid\",\"noexec\"]}",
                c.at("/mounts/1").toString(),
                "nestlet's node, after the engine's /dev, without nodev");
        assertEquals(
                "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":200,\"access\":\"rwm\"}",
                c.at("/linux/resources/devices/2").toString(),
                "allowed after the engine's rules, so it overrides a deny of its own");
        assertFalse(SpecEditor.addTunDevice(c, node), "not added twice");
        assertEquals(2, c.at("/mounts").size());
        assertEquals(3, c.at("/linux/resources/devices").size());

        ObjectNode passed =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"linux":{"devices":[{"path":"/dev/net/tun","type":"c","major":10,"minor":200}],
                  "resources":{"devices":[{"allow":false,"access":"rwm"}]}}}""");
        String before = passed.toString();
        assertFalse(SpecEditor.addTunDevice(passed, node));
        assertEquals(before, passed.toString(), "the engine's own --device entry stays");

        ObjectNode unrestricted = (ObjectNode) JSON.readTree("{}");
        assertTrue(SpecEditor.addTunDevice(unrestricted, node));
        assertEquals("/dev/net/tun", unrestricted.at("/mounts/0/destination").asText());
        assertTrue(
                unrestricted.at("/linux/resources").isMissingNode(),
                "no rule list made where the engine restricts nothing");
    }

    @Test
    void sysIsReadWriteOnlyWhereTheContainerOwnsItsNetwork() throws Exception {
        ObjectNode c =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"mounts":[{"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]},
                   {"destination":"/sys/fs/cgroup","type":"cgroup","source":"cgroup","options":["ro","nosuid"]}],
                 "linux":{"namespaces":[{"type":"network"},{"type":"user"}],"maskedPaths":["/sys/firmware"]}}""");
        assertTrue(
                SpecEditor.ownsItsNetwork(
                        c,
                        (net, user) -> {
                            throw new AssertionError(
                                    "a new network namespace needs no look at the kernel");
                        }));
        assertTrue(SpecEditor.writableSys(c));
        assertEquals("[\"nosuid\",\"noexec\",\"nodev\"]", c.at("/mounts/0/options").toString());
        assertEquals(
                "[\"ro\",\"nosuid\"]", c.at("/mounts/1/options").toString(), "only /sys itself");
        assertEquals(
                "[\"/sys/firmware\"]",
                c.at("/linux/maskedPaths").toString(),
                "the engine's masks stay");
        assertTrue(!SpecEditor.writableSys(c), "nothing left to change");

        ObjectNode hostNet =
                (ObjectNode) JSON.readTree("{\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}");
        assertTrue(
                !SpecEditor.ownsItsNetwork(hostNet, (n, u) -> true),
                "the host's network is not its own");
        ObjectNode joined =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"linux":{"namespaces":[{"type":"network","path":"/var/run/netns/pod"},{"type":"user"}]}}""");
        assertTrue(
                !SpecEditor.ownsItsNetwork(joined, (n, u) -> true),
                "a new user namespace cannot own a network namespace that exists before it");
        ObjectNode pod =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"linux":{"namespaces":[{"type":"network","path":"/proc/7/ns/net"},
                                        {"type":"user","path":"/proc/7/ns/user"}]}}""");
        assertTrue(
                SpecEditor.ownsItsNetwork(
                        pod, (n, u) -> n.equals("/proc/7/ns/net") && u.equals("/proc/7/ns/user")),
                "a pod's user namespace that owns the pod's network namespace (hostUsers: false)");
        assertTrue(!SpecEditor.ownsItsNetwork(pod, (n, u) -> false));
    }

    @Test
    void theEnginesAppArmorProfileBecomesNestlets() throws Exception {
        for (String engines :
                List.of(
                        "docker-default",
                        "cri-containerd.apparmor.d",
                        "containers-default-0.50.1")) {
            ObjectNode c =
                    (ObjectNode)
                            JSON.readTree(
                                    "{\"process\":{\"apparmorProfile\":\"" + engines + "\"}}");
            assertEquals(engines, SpecEditor.systemAppArmorProfile(c));
            assertEquals("nestlet-system-container", c.at("/process/apparmorProfile").asText());
            assertEquals(null, SpecEditor.systemAppArmorProfile(c), "prepared once");
        }
        ObjectNode unconfined =
                (ObjectNode) JSON.readTree("{\"process\":{\"apparmorProfile\":\"unconfined\"}}");
        assertEquals(null, SpecEditor.systemAppArmorProfile(unconfined));
        assertEquals(
                "unconfined",
                unconfined.at("/process/apparmorProfile").asText(),
                "what the user asked for");
        ObjectNode none = docker();
        String before = none.toString();
        assertEquals(null, SpecEditor.systemAppArmorProfile(none));
        assertEquals(before, none.toString(), "no AppArmor on the host: nothing to choose");
    }

    @Test
    void pingGroupRangeFitsTheMapping() throws Exception {
        ObjectNode c =
                (ObjectNode)
                        JSON.readTree(
                                "{\"linux\":{\"sysctl\":{\"net.ipv4.ping_group_range\":\"0 2147483647\"}}}");
        SpecEditor.fitSysctlsToRange(c, 65536);
        assertEquals("0 65535", c.at("/linux/sysctl/net.ipv4.ping_group_range").asText());
    }

    @Test
    void noUserNamespaceMeansNoExistingMapping() throws Exception {
        assertEquals(Optional.empty(), SpecEditor.existingMapping(docker()));
    }

    /**
     * Issue 13: a virtual file's bind goes after the engine's mounts, with its options, and only
     * where the runtime mounts the kernel file system that holds its target.
     */
    @Test
    void fileBindsGoOnTopWhereTheKernelFsIsMounted() throws Exception {
        ObjectNode c = docker();
        assertTrue(SpecEditor.mountsKernelFsOf(c, "/proc/meminfo"), "proc at /proc");
        assertFalse(
                SpecEditor.mountsKernelFsOf(c, "/sys/devices/system/cpu/online"),
                "a cgroup at /sys/fs/cgroup is no sysfs at /sys");
        assertFalse(SpecEditor.mountsKernelFsOf(c, "/procfoo/meminfo"));
        c.withArray("mounts")
                .addObject()
                .put("destination", "/sys")
                .put("type", "bind")
                .put("source", "/sys");
        assertTrue(
                SpecEditor.mountsKernelFsOf(c, "/sys/devices/system/cpu/online"),
                "the host's /sys bound (a joined network namespace)");
        SpecEditor.addBind(
                c,
                new ConfigBind(
                        "/proc/meminfo",
                        Path.of("/st/vfs/x/proc/meminfo"),
                        List.of("bind", "ro", "nosuid", "nodev", "noexec")));
        JsonNode last = c.at("/mounts").get(c.at("/mounts").size() - 1);
        assertEquals(
                "{\"destination\":\"/proc/meminfo\",\"type\":\"bind\","
                        + "\"source\":\"/st/vfs/x/proc/meminfo\","
                        + "\"options\":[\"bind\",\"ro\",\"nosuid\",\"nodev\",\"noexec\"]}",
                last.toString());
    }
}
