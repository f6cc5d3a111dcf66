package dev.nestlet.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * install, a second install, --dry-run and uninstall on a node root, for every engine: the files as
 * bytes before and after.
 */
class EngineInstallerTest {
    /** A config per engine that holds other runtimes, comments and a byte that is not UTF-8. */
    private static final Map<Engine, String> CONFIGS =
            Map.of(
                    Engine.CONTAINERD,
                    "# caf\u00e9 \u00ff\nversion = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.kata]\n  runtime_type = \"io.containerd.kata.v2\" # kata\n",
                    Engine.CRIO,
                    "# \u00ff\n[crio.runtime.runtimes.crun]\nruntime_path = \"/usr/bin/crun\"\n",
                    Engine.PODMAN,
                    "# \u00ff\n[engine]\nevents_logger = \"file\"\n[engine.runtimes]\nkata = [\"/usr/bin/kata-runtime\"]\n",
                    Engine.DOCKER,
                    "{\n  \"_comment\": \"\u00ff\",\n  \"runtimes\": {\n    \"kata\": {\"path\": \"/usr/bin/kata-runtime\"}\n  }\n}\n");

    @TempDir Path root;

    private Path config(Engine e) {
        return root.resolve(e.defaultConfig().substring(1));
    }

    private void write(Engine e) throws IOException {
        Files.createDirectories(config(e).getParent());
        Files.write(config(e), CONFIGS.get(e).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Every file below the root with its bytes: what "nothing written" is compared with. */
    private Map<String, String> tree() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                out.put(
                        root.relativize(p).toString(),
                        Files.isRegularFile(p)
                                ? new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)
                                : "dir");
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void installIsIdempotentAndUninstallRestoresByteForByte(Engine e) throws IOException {
        write(e);
        byte[] original = Files.readAllBytes(config(e));
        EngineInstaller i = new EngineInstaller(e, root);
        assertFalse(i.status(null).ok());
        Outcome first = i.install(null, null, false);
        assertTrue(first.ok() && first.text().contains("wrote " + e.defaultConfig()), first.text());
        assertTrue(first.text().contains(e.restart()), first.text());
        String installed = Files.readString(config(e), StandardCharsets.ISO_8859_1);
        assertTrue(installed.contains("/usr/local/lib/nestlet/bin/nestlet-runtime"), installed);
        assertTrue(installed.contains("kata") || installed.contains("crun"), installed);
        Map<String, String> after = tree();
        Outcome second = i.install(null, null, false);
        assertEquals(e.id() + ": nothing to change\n", second.text());
        assertEquals(after, tree());
        assertTrue(i.status(null).ok());
        Outcome un = i.uninstall(false);
        assertTrue(un.ok(), un.text());
        assertArrayEquals(original, Files.readAllBytes(config(e)));
        assertFalse(Files.exists(root.resolve("var/lib/nestlet/engines")));
        assertFalse(i.status(null).ok());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void anAbsentConfigIsRemovedWithItsDirs(Engine e) throws IOException {
        EngineInstaller i = new EngineInstaller(e, root);
        assertTrue(i.install(null, "/usr", false).ok());
        assertTrue(Files.readString(config(e)).contains("/usr/lib/nestlet/bin/nestlet-runtime"));
        assertTrue(i.uninstall(false).ok());
        assertEquals(Map.of("", "dir"), tree());
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void dryRunWritesNothingAndPrintsTheDiff(Engine e) throws IOException {
        write(e);
        EngineInstaller i = new EngineInstaller(e, root);
        Map<String, String> before = tree();
        Outcome dry = i.install(null, null, true);
        assertTrue(
                dry.text()
                        .startsWith(
                                "--- a"
                                        + e.defaultConfig()
                                        + "\n+++ b"
                                        + e.defaultConfig()
                                        + "\n@@ "),
                dry.text());
        assertTrue(
                dry.text().contains("+") && dry.text().endsWith("dry run: nothing written\n"),
                dry.text());
        assertEquals(before, tree());
        i.install(null, null, false);
        Map<String, String> installed = tree();
        Outcome dryUn = i.uninstall(true);
        assertTrue(
                dryUn.text().contains("\n-") && dryUn.text().endsWith("dry run: nothing written\n"),
                dryUn.text());
        assertEquals(installed, tree());
    }

    @Test
    void uninstallKeepsTheOperatorsLaterChanges() throws IOException {
        write(Engine.CONTAINERD);
        EngineInstaller i = new EngineInstaller(Engine.CONTAINERD, root);
        i.install(null, null, false);
        Files.writeString(
                config(Engine.CONTAINERD),
                "# added later\n"
                        + Files.readString(config(Engine.CONTAINERD), StandardCharsets.ISO_8859_1),
                StandardCharsets.ISO_8859_1);
        // A re-install (the DaemonSet's at every start) finds nestlet still there.
        assertEquals(
                Engine.CONTAINERD.id()
                        + ": /etc/containerd/config.toml changed since install, nestlet is still registered: nothing to change\n",
                i.install(null, null, false).text());
        Outcome un = i.uninstall(false);
        assertTrue(un.ok() && un.text().contains("only nestlet's lines are taken out"), un.text());
        assertEquals(
                "# added later\n" + CONFIGS.get(Engine.CONTAINERD),
                Files.readString(config(Engine.CONTAINERD), StandardCharsets.ISO_8859_1));
    }

    @Test
    void uninstallRefusesWhenNestletsLinesWereEdited() throws IOException {
        write(Engine.DOCKER);
        EngineInstaller i = new EngineInstaller(Engine.DOCKER, root);
        i.install(null, null, false);
        Files.writeString(
                config(Engine.DOCKER),
                Files.readString(config(Engine.DOCKER), StandardCharsets.ISO_8859_1)
                        .replace("/usr/local/lib", "/opt"),
                StandardCharsets.ISO_8859_1);
        Map<String, String> before = tree();
        Outcome un = i.uninstall(false);
        assertFalse(un.ok());
        assertTrue(
                un.text().contains("no longer holds nestlet's lines as written")
                        && un.text().contains("0.orig"),
                un.text());
        assertEquals(before, tree());
    }

    @Test
    void aNewPrefixReplacesTheOldOneAndTheOriginalStays() throws IOException {
        write(Engine.CRIO);
        EngineInstaller i = new EngineInstaller(Engine.CRIO, root);
        i.install(null, null, false);
        i.install(null, "/usr", false);
        String text = Files.readString(config(Engine.CRIO), StandardCharsets.ISO_8859_1);
        assertEquals(CONFIGS.get(Engine.CRIO) + "\n" + CrioConfig.block(new Layout("/usr")), text);
        i.uninstall(false);
        assertEquals(
                CONFIGS.get(Engine.CRIO),
                Files.readString(config(Engine.CRIO), StandardCharsets.ISO_8859_1));
    }

    @Test
    void modeAndOwnerOfTheConfigStay() throws IOException {
        write(Engine.DOCKER);
        Files.setPosixFilePermissions(
                config(Engine.DOCKER), PosixFilePermissions.fromString("rw-------"));
        new EngineInstaller(Engine.DOCKER, root).install(null, null, false);
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(config(Engine.DOCKER))));
    }

    @Test
    void aHandWrittenRegistrationIsNeitherChangedNorRemoved() throws IOException {
        Files.createDirectories(config(Engine.DOCKER).getParent());
        Files.writeString(
                config(Engine.DOCKER),
                "{\"runtimes\": {\"nestlet\": {\"path\": \"/opt/nestlet-runtime\"}}}");
        EngineInstaller i = new EngineInstaller(Engine.DOCKER, root);
        Map<String, String> before = tree();
        assertTrue(i.install(null, null, false).text().contains("already registered"));
        assertTrue(i.status(null).text().contains("not by nestletctl"));
        assertTrue(i.uninstall(false).text().contains("nestletctl installed nothing here"));
        assertEquals(before, tree());
    }
}
