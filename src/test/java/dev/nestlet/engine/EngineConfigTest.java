package dev.nestlet.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each engine's merge on configs that already hold other runtimes and comments: what is inserted
 * and where, and that everything else stays as it was.
 */
class EngineConfigTest {
    private static final Path PACKAGING =
            Path.of(System.getProperty("nestlet.packaging", "packaging"));
    private static final Layout LOCAL = new Layout("/usr/local");

    @TempDir Path root;

    private NodeFiles files(String path, String text) throws IOException {
        Path f = root.resolve(path.substring(1));
        Files.createDirectories(f.getParent());
        Files.writeString(f, text, StandardCharsets.ISO_8859_1);
        return new NodeFiles(root);
    }

    private static FileChange only(Plan plan) {
        assertEquals(1, plan.changes().size(), plan.toString());
        return plan.changes().get(0);
    }

    /** Lines that are neither comments nor blank: the tables and keys themselves. */
    private static List<String> significant(String text) {
        return text.lines()
                .filter(l -> !l.isBlank() && !l.strip().startsWith("#"))
                .collect(Collectors.toList());
    }

    @Test
    void containerdBlocksAreThePackagedSnippets() throws IOException {
        assertEquals(
                significant(
                        Files.readString(
                                PACKAGING.resolve("containerd/nestlet-containerd-1.toml"))),
                significant(ContainerdConfig.block(2, LOCAL)));
        assertEquals(
                significant(
                        Files.readString(
                                PACKAGING.resolve("containerd/nestlet-containerd-2.toml"))),
                significant(ContainerdConfig.block(3, LOCAL)));
        assertEquals(
                significant(Files.readString(PACKAGING.resolve("crio/50-nestlet.conf"))),
                significant(CrioConfig.block(LOCAL)));
    }

    @Test
    void containerdVersion2KeepsOtherRuntimesAndComments() throws IOException {
        String original =
                "# managed by hand\nversion = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".containerd]\n"
                        + "  default_runtime_name = \"runc\" # keep\n"
                        + "  [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.kata]\n"
                        + "    runtime_type = \"io.containerd.kata.v2\"\n"
                        + "    pod_annotations = [\n      \"io.katacontainers.*\", # a comment in an array\n    ]";
        FileChange c =
                only(
                        new ContainerdConfig()
                                .plan(
                                        files("/etc/containerd/config.toml", original),
                                        "/etc/containerd/config.toml",
                                        new Layout("/usr")));
        assertEquals(original + "\n\n" + ContainerdConfig.block(2, new Layout("/usr")), c.after());
        assertTrue(c.after().contains("BinaryName = \"/usr/lib/nestlet/bin/nestlet-runtime\""));
    }

    @Test
    void containerdVersion3UsesTheCriRuntimePlugin() throws IOException {
        String original =
                "version = 3\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]\n  runtime_type = 'io.containerd.runc.v2'\n";
        FileChange c =
                only(
                        new ContainerdConfig()
                                .plan(
                                        files("/etc/containerd/config.toml", original),
                                        "/etc/containerd/config.toml",
                                        LOCAL));
        assertEquals(original + "\n" + ContainerdConfig.block(3, LOCAL), c.after());
        assertTrue(
                c.after()
                        .contains(
                                "[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.nestlet]"));
    }

    @Test
    void containerdWithoutVersionIsVersion1() throws IOException {
        String original = "root = \"/var/lib/containerd\"\n";
        FileChange c =
                only(
                        new ContainerdConfig()
                                .plan(
                                        files("/etc/containerd/config.toml", original),
                                        "/etc/containerd/config.toml",
                                        LOCAL));
        assertTrue(c.after().contains("[plugins.cri.containerd.runtimes.nestlet]"), c.after());
    }

    @Test
    void containerdAbsentConfigGetsVersion2() throws IOException {
        FileChange c =
                only(
                        new ContainerdConfig()
                                .plan(new NodeFiles(root), "/etc/containerd/config.toml", LOCAL));
        assertEquals(Optional.empty(), c.before());
        assertEquals("version = 2\n\n" + ContainerdConfig.block(2, LOCAL), c.after());
    }

    @Test
    void containerdImportsGetADropIn() throws IOException {
        String main =
                "version = 3\nimports = [\"/etc/containerd/conf.d/*.toml\", \"/etc/containerd/other.toml\"]\n";
        NodeFiles f = files("/etc/containerd/config.toml", main);
        files("/etc/containerd/conf.d/10-mirror.toml", "version = 3\n");
        FileChange c = only(new ContainerdConfig().plan(f, "/etc/containerd/config.toml", LOCAL));
        assertEquals("/etc/containerd/conf.d/nestlet.toml", c.path());
        assertEquals("version = 3\n\n" + ContainerdConfig.block(3, LOCAL), c.after());
    }

    @Test
    void containerdRelativeGlobsAreFromTheRoot() throws IOException {
        NodeFiles f =
                files(
                        "/etc/containerd/config.toml",
                        "version = 3\nimports = ['etc/containerd/conf.d/*', 'more.toml']\n");
        assertEquals(
                "/etc/containerd/conf.d/nestlet.toml",
                only(new ContainerdConfig().plan(f, "/etc/containerd/config.toml", LOCAL)).path());
    }

    @Test
    void containerd1xImportsDoNotGetADropIn() throws IOException {
        String main = "version = 2\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n";
        FileChange c =
                only(
                        new ContainerdConfig()
                                .plan(
                                        files("/etc/containerd/config.toml", main),
                                        "/etc/containerd/config.toml",
                                        LOCAL));
        assertEquals("/etc/containerd/config.toml", c.path());
    }

    @Test
    void containerdHandWrittenNestletIsLeftAlone() throws IOException {
        NodeFiles f =
                files(
                        "/etc/containerd/config.toml",
                        "version = 2\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n");
        files(
                "/etc/containerd/conf.d/runtimes.toml",
                "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.nestlet.options]\nBinaryName = \"/opt/x\"\n");
        Plan p = new ContainerdConfig().plan(f, "/etc/containerd/config.toml", LOCAL);
        assertEquals(List.of(), p.changes());
        assertTrue(
                p.notes().get(0).contains("/etc/containerd/conf.d/runtimes.toml"),
                p.notes().toString());
    }

    @Test
    void containerdRefusesWhatItCannotRead() throws IOException {
        assertThrows(
                IllegalArgumentException.class,
                () ->
                        new ContainerdConfig()
                                .plan(files("/c.toml", "version = 4\n"), "/c.toml", LOCAL));
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new ContainerdConfig()
                                        .plan(
                                                files("/c.toml", "version = 2\n[plugins\n"),
                                                "/c.toml",
                                                LOCAL));
        assertTrue(e.getMessage().contains("nothing changed"), e.getMessage());
    }

    @Test
    void crioDropInIsItsOwnFile() throws IOException {
        FileChange c =
                only(
                        new CrioConfig()
                                .plan(
                                        new NodeFiles(root),
                                        "/etc/crio/crio.conf.d/50-nestlet.conf",
                                        LOCAL));
        assertEquals(CrioConfig.block(LOCAL), c.after());
        String other = "[crio.runtime.runtimes.crun]\nruntime_path = \"/usr/bin/crun\"\n";
        c =
                only(
                        new CrioConfig()
                                .plan(
                                        files("/etc/crio/crio.conf", other),
                                        "/etc/crio/crio.conf",
                                        LOCAL));
        assertEquals(other + "\n" + CrioConfig.block(LOCAL), c.after());
    }

    @Test
    void podmanInsertsIntoExistingTables() throws IOException {
        String original =
                "[containers]\nlog_size_max = -1\n\n[engine]\n# where hooks are\nhooks_dir = [\n  \"/etc/containers/oci/hooks.d\",\n]\n\n"
                        + "[engine.runtimes]\ncrun = [\"/usr/bin/crun\"] # mine\n";
        FileChange c =
                only(
                        new PodmanConfig()
                                .plan(
                                        files("/etc/containers/containers.conf", original),
                                        "/etc/containers/containers.conf",
                                        LOCAL));
        assertEquals(
                "[containers]\nlog_size_max = -1\n\n[engine]\n# where hooks are\nhooks_dir = [\"/usr/local/share/containers/oci/hooks.d\", \n  \"/etc/containers/oci/hooks.d\",\n]\n\n"
                        + "[engine.runtimes]\nnestlet = [\"/usr/local/lib/nestlet/bin/nestlet-runtime\"]\ncrun = [\"/usr/bin/crun\"] # mine\n",
                c.after());
    }

    @Test
    void podmanEngineWithoutHooksDirKeepsTheDefault() throws IOException {
        String original = "[engine]\ncgroup_manager = \"cgroupfs\"";
        FileChange c =
                only(
                        new PodmanConfig()
                                .plan(
                                        files("/etc/containers/containers.conf", original),
                                        "/etc/containers/containers.conf",
                                        LOCAL));
        assertEquals(
                "[engine]\nhooks_dir = [\"/usr/share/containers/oci/hooks.d\", \"/usr/local/share/containers/oci/hooks.d\"]\ncgroup_manager = \"cgroupfs\"\n\n"
                        + "# nestlet: `nestletctl engine uninstall podman` removes it.\n[engine.runtimes]\nnestlet = [\"/usr/local/lib/nestlet/bin/nestlet-runtime\"]\n",
                c.after());
    }

    @Test
    void podmanAbsentConfig() throws IOException {
        FileChange c =
                only(
                        new PodmanConfig()
                                .plan(
                                        new NodeFiles(root),
                                        "/etc/containers/containers.conf",
                                        new Layout("/usr")));
        // /usr's hooks dir is podman's default: no hooks_dir needed.
        assertEquals(
                "# nestlet: `nestletctl engine uninstall podman` removes it.\n[engine.runtimes]\nnestlet = [\"/usr/lib/nestlet/bin/nestlet-runtime\"]\n",
                c.after());
    }

    @Test
    void dockerInsertsIntoRuntimesWithTheFilesIndent() throws IOException {
        String original =
                "{\n  \"debug\": true,\n  \"runtimes\": {\n    \"crun\": {\n      \"path\": \"/usr/bin/crun\"\n    }\n  }\n}\n";
        FileChange c =
                only(
                        new DockerConfig()
                                .plan(
                                        files("/etc/docker/daemon.json", original),
                                        "/etc/docker/daemon.json",
                                        LOCAL));
        assertEquals(
                "{\n  \"debug\": true,\n  \"runtimes\": {\n    \"nestlet\": {\n      \"path\": \"/usr/local/lib/nestlet/bin/nestlet-runtime\"\n    },\n    \"crun\": {\n      \"path\": \"/usr/bin/crun\"\n    }\n  }\n}\n",
                c.after());
    }

    @Test
    void dockerAddsRuntimes() throws IOException {
        String original = "{\n\t\"log-driver\": \"journald\"\n}";
        FileChange c =
                only(
                        new DockerConfig()
                                .plan(
                                        files("/etc/docker/daemon.json", original),
                                        "/etc/docker/daemon.json",
                                        LOCAL));
        assertEquals(
                "{\n\t\"runtimes\": {\n\t\t\"nestlet\": {\n\t\t\t\"path\": \"/usr/local/lib/nestlet/bin/nestlet-runtime\"\n\t\t}\n\t},\n\t\"log-driver\": \"journald\"\n}",
                c.after());
        assertEquals(
                "{\"runtimes\": { \"nestlet\": { \"path\": \"/usr/local/lib/nestlet/bin/nestlet-runtime\" } },\"debug\": true}",
                only(new DockerConfig()
                                .plan(files("/d.json", "{\"debug\": true}"), "/d.json", LOCAL))
                        .after());
        assertEquals(
                "{\n    \"runtimes\": {\n        \"nestlet\": {\n            \"path\": \"/usr/local/lib/nestlet/bin/nestlet-runtime\"\n        }\n    }\n}\n",
                only(new DockerConfig().plan(files("/e.json", "{}\n"), "/e.json", LOCAL)).after());
        assertEquals(
                only(new DockerConfig().plan(files("/e.json", "{}\n"), "/e.json", LOCAL)).after(),
                only(new DockerConfig().plan(new NodeFiles(root), "/absent.json", LOCAL)).after());
    }

    @Test
    void dockerRefusesInvalidJsonAndKeepsAHandWrittenNestlet() throws IOException {
        IllegalArgumentException e =
                assertThrows(
                        IllegalArgumentException.class,
                        () ->
                                new DockerConfig()
                                        .plan(files("/d.json", "{\"a\": }"), "/d.json", LOCAL));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertEquals(
                List.of(),
                new DockerConfig()
                        .plan(
                                files(
                                        "/d.json",
                                        "{\"runtimes\": {\"nestlet\": {\"path\": \"/x\"}}}"),
                                "/d.json",
                                LOCAL)
                        .changes());
    }

    @Test
    void unifiedDiffAsDiffPrintsIt() {
        String a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
        String b = "1\nnew\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\nlast";
        assertEquals(
                "--- a/f\n+++ b/f\n@@ -1,4 +1,5 @@\n 1\n+new\n 2\n 3\n 4\n@@ -10,3 +11,4 @@\n 10\n 11\n 12\n+last\n\\ No newline at end of file\n",
                UnifiedDiff.of("/f", Optional.of(a), Optional.of(b)));
        assertEquals(
                "--- /dev/null\n+++ b/f\n@@ -0,0 +1 @@\n+x\n",
                UnifiedDiff.of("/f", Optional.empty(), Optional.of("x\n")));
        assertEquals("", UnifiedDiff.of("/f", Optional.of(a), Optional.of(a)));
    }
}
