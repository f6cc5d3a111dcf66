package dev.nestlet.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Busybox images for the engines, built once per test JVM in a temp dir (removed when the JVM
 * exits), since no registry is reachable:
 *
 * <ul>
 *   <li>a plain rootfs tar, for {@code docker import} and {@code podman import};
 *   <li>a docker-archive, for {@code ctr image import} (and {@code docker load}, {@code podman
 *       load}). It is written here directly (manifest.json, an image config and the rootfs tar as
 *       its one layer): no engine, skopeo or umoci round trip: about 65 ms after the rootfs tar
 *       (300 ms), and the same bytes as its layer.
 * </ul>
 */
public final class Images {
    /**
     * The name the docker-archive carries (RepoTags); engines may qualify it (docker.io/,
     * localhost/).
     */
    public static final String BUSYBOX = "nestlet-it/busybox:latest";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path dir;
    private static Path rootfsTar;
    private static Path dockerArchive;

    private Images() {}

    /** A tar of {@link Rootfs#busybox}, numeric owners, rooted at "./". */
    public static synchronized Path busyboxRootfsTar() {
        return build(Images::buildRootfsTar, "rootfs tar");
    }

    /** A docker-archive of the busybox rootfs tagged {@link #BUSYBOX}. */
    public static synchronized Path busyboxDockerArchive() {
        return build(Images::buildDockerArchive, "docker-archive");
    }

    private static Path build(Callable<Path> step, String what) {
        try {
            return step.call();
        } catch (Exception e) {
            throw new AssertionError("cannot build the busybox " + what, e);
        }
    }

    private static Path buildRootfsTar() throws IOException {
        if (rootfsTar == null) {
            Path root = Rootfs.busybox(cacheDir().resolve("busybox-rootfs"));
            Path tar = cacheDir().resolve("busybox-rootfs.tar");
            Cmd.of("tar", "--numeric-owner", "-C", root.toString(), "-cf", tar.toString(), ".")
                    .run()
                    .ok();
            rootfsTar = tar;
        }
        return rootfsTar;
    }

    private static Path buildDockerArchive() throws IOException {
        if (dockerArchive == null) {
            dockerArchive =
                    dockerArchive(
                            buildRootfsTar(),
                            BUSYBOX,
                            List.of("sh"),
                            cacheDir().resolve("busybox-docker-archive.tar"));
        }
        return dockerArchive;
    }

    /**
     * Writes a one-layer docker-archive to {@code out}: {@code layer} (a rootfs tar) tagged {@code
     * tag}, whose default command is {@code cmd}. For {@code ctr image import} (and {@code docker
     * load}, {@code podman load}).
     */
    public static Path dockerArchive(Path layer, String tag, List<String> cmd, Path out)
            throws IOException {
        String diffId = sha256(layer);
        Path staging = Files.createTempDirectory(out.getParent(), "docker-archive-");
        Files.createDirectories(staging.resolve(diffId));
        Files.copy(layer, staging.resolve(diffId).resolve("layer.tar"));

        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", goArch()).put("os", "linux");
        ObjectNode c = config.putObject("config");
        c.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        cmd.forEach(c.putArray("Cmd")::add);
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        rootfs.putArray("diff_ids").add("sha256:" + diffId);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configName = sha256(configBytes) + ".json";
        Files.write(staging.resolve(configName), configBytes);

        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("Config", configName);
        manifest.putArray("RepoTags").add(tag);
        manifest.putArray("Layers").add(diffId + "/layer.tar");
        Files.write(staging.resolve("manifest.json"), JSON.writeValueAsBytes(List.of(manifest)));

        Cmd.of(
                        "tar",
                        "-C",
                        staging.toString(),
                        "-cf",
                        out.toString(),
                        "manifest.json",
                        configName,
                        diffId)
                .run()
                .ok();
        Cmd.of("rm", "-rf", staging.toString()).run().ok();
        return out;
    }

    private static Path cacheDir() throws IOException {
        if (dir == null) {
            Path base = Path.of(System.getProperty("nestlet.it.tmp", "/var/tmp"));
            Path d = Files.createTempDirectory(base, "nestlet-it-images-");
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () ->
                                            Cmd.of("rm", "-rf", "--one-file-system", d.toString())
                                                    .run()));
            dir = d;
        }
        return dir;
    }

    /** The GOARCH name engines expect in an image config. */
    private static String goArch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
