package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Dist;
import dev.nestlet.it.support.KubeNode;
import dev.nestlet.it.support.Podman;
import dev.nestlet.it.support.SharedRoot;
import dev.nestlet.it.support.TestDir;
import dev.nestlet.it.support.UsesRoots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@code nestletctl engine install} (the install tree's, with --root a dir of the test) merges
 * nestlet into configs that the engines themselves then load: containerd 1.6's and 2.1's {@code
 * config dump} show runtime nestlet with its binary and annotations beside the runtime that was
 * there; podman resolves {@code --runtime nestlet} from the merged containers.conf. Uninstall
 * restores each file byte for byte.
 */
@UsesRoots(SharedRoot.KUBE_NODE)
class EngineConfigsIT {
    private static final String KATA = "io.containerd.kata.v2";

    private static Cmd.Result ctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Dist.bin("nestletctl").toString()));
        cmd.addAll(List.of(args));
        return Cmd.of(cmd).run();
    }

    /** containerd's dump as "[table]" -> its lines, quotes unified. */
    private static Map<String, String> tables(String dump) {
        Map<String, String> out = new LinkedHashMap<>();
        String table = "";
        for (String line : dump.split("\n")) {
            // containerd 2.x writes literal strings where 1.x writes basic ones.
            String l = line.strip().replace('\'', '"');
            if (l.startsWith("[")) {
                table = l;
                out.put(table, "");
            } else if (!l.isEmpty()) {
                out.merge(table, l + "\n", String::concat);
            }
        }
        return out;
    }

    private static void assertRegistered(String dump, String plugin, String binary) {
        Map<String, String> t = tables(dump);
        String runtimes = "[plugins.\"" + plugin + "\".containerd.runtimes.";
        String nestlet = t.getOrDefault(runtimes + "nestlet]", "");
        assertTrue(nestlet.contains("runtime_type = \"io.containerd.runc.v2\""), dump);
        assertTrue(nestlet.contains("pod_annotations = [\"io.nestlet.*\"]"), dump);
        assertTrue(nestlet.contains("container_annotations = [\"io.nestlet.*\"]"), dump);
        assertTrue(
                t.getOrDefault(runtimes + "nestlet.options]", "")
                        .contains("BinaryName = \"" + binary + "\""),
                dump);
        assertTrue(
                t.getOrDefault(runtimes + "kata]", "").contains("runtime_type = \"" + KATA + "\""),
                dump);
    }

    /** Installs into ROOT/etc/containerd, checks the dump, uninstalls: the files as before. */
    private static void containerd(
            TestDir dir,
            String written,
            Map<String, String> files,
            String plugin,
            Function<Path, List<String>> dump)
            throws IOException {
        Path root = dir.resolve("root");
        String config = "/etc/containerd/config.toml";
        for (Map.Entry<String, String> f : files.entrySet()) {
            Files.createDirectories(root.resolve(f.getKey()).getParent());
            Files.writeString(root.resolve(f.getKey()), f.getValue());
        }
        String[] args = {
            "engine", "install", "containerd", "--root", root.toString(), "--config", config
        };
        Cmd.Result install = ctl(args).ok();
        assertTrue(install.out().contains("systemctl restart containerd"), install.all());
        assertTrue(install.out().contains("wrote " + written + " "), install.all());
        assertEquals("containerd: nothing to change\n", ctl(args).ok().out());
        Cmd.Result d = Cmd.of(dump.apply(root)).run().ok();
        assertRegistered(d.out(), plugin, "/usr/local/lib/nestlet/bin/nestlet-runtime");
        ctl("engine", "uninstall", "containerd", "--root", root.toString()).ok();
        for (Map.Entry<String, String> f : files.entrySet()) {
            assertEquals(f.getValue(), Files.readString(root.resolve(f.getKey())));
        }
        assertEquals(List.of("etc"), List.of(root.toFile().list()));
    }

    /**
     * The host's containerd 1.6 dumping ROOT's config: in a mount namespace of its own, ROOT's
     * /etc/containerd is the one it reads, at the node paths the config's imports name; the host's
     * stays untouched.
     */
    private static List<String> dump16(Path root) {
        return List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount --bind \"$0\" /etc/containerd && exec \"$@\"",
                root.resolve("etc/containerd").toString(),
                "containerd",
                "--config",
                "/etc/containerd/config.toml",
                "config",
                "dump");
    }

    private static String v2(String runtime) {
        return "# the node's own\nversion = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes."
                + runtime
                + "]\n  runtime_type = \""
                + KATA
                + "\" # kata\n";
    }

    @Test
    void containerd16LoadsTheMergedConfig() throws IOException {
        try (TestDir dir = new TestDir("engine-ctrd16")) {
            containerd(
                    dir,
                    "/etc/containerd/config.toml",
                    Map.of("etc/containerd/config.toml", v2("kata")),
                    "io.containerd.grpc.v1.cri",
                    EngineConfigsIT::dump16);
        }
    }

    @Test
    void containerd16ImportsKeepTheirRuntimes() throws IOException {
        try (TestDir dir = new TestDir("engine-ctrd16-imports")) {
            String main = "version = 2\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n";
            containerd(
                    dir,
                    // containerd 1.x takes the last imported CRI section whole.
                    "/etc/containerd/conf.d/10-kata.toml",
                    Map.of(
                            "etc/containerd/config.toml",
                            main,
                            "etc/containerd/conf.d/10-kata.toml",
                            v2("kata")),
                    "io.containerd.grpc.v1.cri",
                    EngineConfigsIT::dump16);
        }
    }

    @Test
    void containerd21LoadsTheMergedVersion3Config() throws IOException {
        Path node = KubeNode.nodeRoot();
        try (TestDir dir = new TestDir("engine-ctrd21")) {
            String v3 =
                    "version = 3\n\n[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.kata]\n  runtime_type = '"
                            + KATA
                            + "'\n";
            Path enter =
                    Path.of(System.getProperty("nestlet.testResources", "src/test/resources"))
                            .resolve("kube/enter-node.sh");
            containerd(
                    dir,
                    "/etc/containerd/config.toml",
                    Map.of("etc/containerd/config.toml", v3),
                    "io.containerd.cri.v1.runtime",
                    root ->
                            List.of(
                                    "unshare",
                                    "--mount",
                                    "--propagation",
                                    "private",
                                    "sh",
                                    enter.toString(),
                                    node.toString(),
                                    dir.path().toString(),
                                    "--",
                                    "containerd",
                                    "--config",
                                    root + "/etc/containerd/config.toml",
                                    "config",
                                    "dump"));
        }
    }

    @Test
    void podmanResolvesTheRuntimeFromTheMergedContainersConf() throws IOException {
        try (TestDir dir = new TestDir("engine-podman");
                Podman podman = new Podman(dir.resolve("podman")).start()) {
            Path conf = dir.resolve("podman/containers.conf");
            String original = Files.readString(conf);
            // runc under nestlet-runtime's name: enough for podman to resolve it.
            Path prefix = dir.resolve("prefix");
            Files.createDirectories(prefix.resolve("lib/nestlet/bin"));
            Files.createSymbolicLink(
                    prefix.resolve("lib/nestlet/bin/nestlet-runtime"), Path.of("/usr/bin/runc"));
            // The test dir is the node's root: the install record goes there too.
            String root = dir.path().toString();
            ctl(
                            "engine",
                            "install",
                            "podman",
                            "--root",
                            root,
                            "--config",
                            "/podman/containers.conf",
                            "--prefix",
                            prefix.toString())
                    .ok();
            String merged = Files.readString(conf);
            assertTrue(
                    merged.contains(
                            "hooks_dir = [\""
                                    + prefix
                                    + "/share/containers/oci/hooks.d\", \""
                                    + dir.resolve("podman/hooks.d")),
                    merged);
            String info =
                    podman.cli(
                                    "--runtime",
                                    "nestlet",
                                    "info",
                                    "--format",
                                    "{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}")
                            .ok()
                            .out();
            assertEquals(
                    "nestlet " + prefix.resolve("lib/nestlet/bin/nestlet-runtime"), info.strip());
            ctl("engine", "uninstall", "podman", "--root", root).ok();
            assertEquals(original, Files.readString(conf));
        }
    }
}
