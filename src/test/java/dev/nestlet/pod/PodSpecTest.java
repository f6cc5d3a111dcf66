package dev.nestlet.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.json.Json;
import org.junit.jupiter.api.Test;

class PodSpecTest {
    private static ObjectNode config(String mounts) throws Exception {
        return (ObjectNode) Json.mapper().readTree("{\"mounts\": [" + mounts + "]}");
    }

    private static String mount(String destination, String source) {
        return "{\"destination\": \""
                + destination
                + "\", \"type\": \"bind\", \"source\": \""
                + source
                + "\"}";
    }

    @Test
    void containerdsSandboxDirectoryComesFromItsResolvConfOrShmBind() throws Exception {
        String root = "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/sb1";
        String state = "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/sb1";
        assertEquals(
                root,
                PodSpec.sandboxDir(
                        config(
                                mount("/dev/shm", state + "/shm")
                                        + ","
                                        + mount("/etc/resolv.conf", root + "/resolv.conf")),
                        "sb1"),
                "the one kept on disk first");
        assertEquals(
                state,
                PodSpec.sandboxDir(config(mount("/dev/shm", state + "/shm")), "sb1"),
                "an older containerd binds only /dev/shm");
    }

    @Test
    void noDirectoryWhenTheLayoutIsAnotherRuntimes() throws Exception {
        assertNull(
                PodSpec.sandboxDir(
                        config(
                                mount(
                                        "/etc/resolv.conf",
                                        "/run/containers/storage/overlay-containers/sb1/userdata/resolv.conf")),
                        "sb1"),
                "CRI-O's userdata dir");
        assertNull(PodSpec.sandboxDir(config(mount("/dev/shm", "/dev/shm")), "sb1"), "host IPC");
        assertNull(
                PodSpec.sandboxDir(config(mount("/etc/hosts", "/x/sb1/hosts")), "sb1"),
                "another file");
        assertNull(PodSpec.sandboxDir(config(mount("/dev/shm", "shm")), "sb1"), "relative");
        assertNull(PodSpec.sandboxDir(config(""), "sb1"), "no mounts");
        assertNull(
                PodSpec.sandboxDir(config(mount("/dev/shm", "/x/sb1/\\u0000")), "sb1"), "no path");
    }
}
