package dev.nestlet.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runtime-handler registration files, as files: containerd 1.x and 2.x tables, CRI-O's drop-in
 * (CRI-O is not packaged here, so this is its only test). containerd 2.1 runs KubePodsIT with the
 * 2.x file; the RuntimeClass is K8sManifestsTest's.
 */
class RegistrationFilesTest {
    private static final Path DIR = Path.of(System.getProperty("nestlet.packaging", "packaging"));
    private static final String BINARY = "\"/usr/local/lib/nestlet/bin/nestlet-runtime\"";

    /**
     * A tiny reader for these flat files: "[table] key" -> raw value; comments and blank lines
     * skipped.
     */
    static Map<String, String> keys(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String table = "";
        for (String raw : Files.readAllLines(file)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("[")) {
                table = line;
                continue;
            }
            int eq = line.indexOf('=');
            out.put(table + " " + line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return out;
    }

    @Test
    void containerd2() throws IOException {
        Map<String, String> k = keys(DIR.resolve("containerd/nestlet-containerd-2.toml"));
        String t = "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nestlet]";
        assertEquals("\"io.containerd.runc.v2\"", k.get(t + " runtime_type"));
        assertEquals("[\"io.nestlet.*\"]", k.get(t + " pod_annotations"));
        assertEquals("[\"io.nestlet.*\"]", k.get(t + " container_annotations"));
        assertEquals(BINARY, k.get(t.replace("]", ".options]") + " BinaryName"));
        assertEquals(4, k.size(), k.toString());
    }

    @Test
    void containerd1() throws IOException {
        Map<String, String> k = keys(DIR.resolve("containerd/nestlet-containerd-1.toml"));
        String t = "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nestlet]";
        assertEquals("\"io.containerd.runc.v2\"", k.get(t + " runtime_type"));
        assertEquals("[\"io.nestlet.*\"]", k.get(t + " pod_annotations"));
        assertEquals(BINARY, k.get(t.replace("]", ".options]") + " BinaryName"));
    }

    @Test
    void crio() throws IOException {
        Map<String, String> k = keys(DIR.resolve("crio/50-nestlet.conf"));
        String t = "[crio.runtime.runtimes.nestlet]";
        assertEquals(BINARY, k.get(t + " runtime_path"));
        assertEquals("\"oci\"", k.get(t + " runtime_type"));
        assertEquals("\"/run/runc\"", k.get(t + " runtime_root"));
        assertEquals("[\"io.nestlet.mode\"]", k.get(t + " allowed_annotations"));
    }

    /** What `make install` puts where the files say nestlet-runtime is. */
    @Test
    void binaryPathIsTheInstalledOne() throws IOException {
        String make = Files.readString(Path.of("Makefile"));
        assertTrue(make.contains("PREFIX ?= /usr/local"));
        assertTrue(make.contains("$(DESTDIR)$(PREFIX)/lib/nestlet/bin/"));
    }
}
