package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Docker-in-Docker image of the slow tests, built once per test JVM: Debian 12 (a copy of
 * {@link DebianMinbase}, packages from the machine's apt mirror) with docker.io, podman, buildah,
 * systemd and a JRE, plus the Testcontainers check and its jars, a busybox image tar, a nested runc
 * bundle without its own network namespace, and the init that runs the tests' scripts. Removed when
 * the JVM exits. For development, {@code -Dnestlet.it.dindRoot=DIR} copies a root built before with
 * {@code scripts/debian-rootfs.sh DIR docker.io openjdk-17-jre-headless ca-certificates podman
 * buildah uidmap slirp4netns systemd systemd-sysv dbus} instead of building one.
 */
public final class DindImage {
    /** Where the test's content lives inside the image. */
    public static final String E2E = "/opt/nestlet-e2e";

    private static Path rootfs;
    private static Path tar;

    private DindImage() {}

    public static synchronized Path rootfs() throws Exception {
        if (rootfs == null) {
            Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "nestlet-it-dind-image-");
            Cmd.of("chmod", "711", dir.toString()).run().ok();
            Runtime.getRuntime()
                    .addShutdownHook(
                            new Thread(
                                    () -> {
                                        Mounts.unmountBelow(dir);
                                        Cmd.of("rm", "-rf", "--one-file-system", dir.toString())
                                                .run();
                                    }));
            Path root = dir.resolve("rootfs");
            String prebuilt = System.getProperty("nestlet.it.dindRoot", "");
            if (prebuilt.isEmpty()) {
                Cmd.of(
                                DebianMinbase.script().toString(),
                                root.toString(),
                                "docker.io",
                                "openjdk-17-jre-headless",
                                "ca-certificates",
                                "podman",
                                "buildah",
                                "uidmap",
                                "slirp4netns",
                                "systemd",
                                "systemd-sysv",
                                "dbus")
                        .env(Map.of("BASE", DebianMinbase.bookworm().toString()))
                        .timeout(900)
                        .run()
                        .ok();
            } else {
                // A root built before with the packages above (development): copied, since the
                // test content goes into it and tests write to it.
                Cmd.of("cp", "-a", prebuilt, root.toString()).timeout(600).run().ok();
            }
            addTestContent(root);
            rootfs = root;
        }
        return rootfs;
    }

    /**
     * The image as a rootfs tarball, for `docker import` and `podman import` by an outer engine.
     */
    public static synchronized Path tar() throws Exception {
        if (tar == null) {
            Path root = rootfs();
            Path t = root.resolveSibling("dind.tar");
            Cmd.of("tar", "-C", root.toString(), "--numeric-owner", "-cf", t.toString(), ".")
                    .timeout(600)
                    .run()
                    .ok();
            tar = t;
        }
        return tar;
    }

    private static void addTestContent(Path root) throws IOException {
        Path e2e = root.resolve(E2E.substring(1));
        Files.createDirectories(e2e.resolve("lib"));
        try (Stream<Path> jars =
                Files.list(Path.of(System.getProperty("nestlet.innerLib", "target/inner-lib")))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, e2e.resolve("lib").resolve(jar.getFileName()));
            }
        }
        Path classes = Path.of(System.getProperty("nestlet.testClasses", "target/test-classes"));
        Path pkg = Path.of("dev/nestlet/e2e");
        Files.createDirectories(e2e.resolve("classes").resolve(pkg));
        try (Stream<Path> cls = Files.list(classes.resolve(pkg))) {
            for (Path c : cls.toList()) {
                Files.copy(c, e2e.resolve("classes").resolve(pkg).resolve(c.getFileName()));
            }
        }
        Path busybox = Rootfs.busybox(e2e.resolve("busybox-rootfs"));
        Cmd.of("tar", "-C", busybox.toString(), "-cf", e2e.resolve("busybox.tar").toString(), ".")
                .run()
                .ok();
        Path nested = Files.createDirectories(e2e.resolve("nested"));
        Cmd.of("cp", "-a", busybox.toString(), nested.resolve("rootfs").toString()).run().ok();
        Cmd.of("rm", "-rf", busybox.toString()).run().ok();
        // A nested container without its own network namespace: the runtime inside must mount sysfs
        // for it.
        Files.writeString(
                nested.resolve("config.json"),
                """
                {"ociVersion":"1.0.2","process":{"terminal":false,"user":{"uid":0,"gid":0},
                  "args":["sh","-c","grep -E ' /(sys|proc) ' /proc/self/mountinfo; ls /sys/devices >/dev/null && echo sysfs-ok"],
                  "env":["PATH=/bin:/usr/bin"],"cwd":"/"},
                 "root":{"path":"rootfs"},"hostname":"nested",
                 "mounts":[{"destination":"/proc","type":"proc","source":"proc"},
                   {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","mode=755"]},
                   {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}],
                 "linux":{"namespaces":[{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"}]}}
                """);
        Path init = root.resolve("usr/local/bin/nestlet-e2e-init");
        Files.writeString(
                init,
                """
                #!/bin/sh
                # Init of the Docker-in-Docker tests' system container: starts dockerd with
                # $DOCKERD_ARGS, then runs each script a test drops into /run/nestlet-e2e, one
                # at a time, as a child of this init: with the container's own seccomp
                # filter, capabilities, namespaces and cgroups. Under systemd it is the
                # nestlet-e2e unit, with DOCKERD=no (docker.service starts dockerd).
                mkdir -p /run/nestlet-e2e
                [ "${DOCKERD:-yes}" = no ] || dockerd $DOCKERD_ARGS > /var/log/dockerd.log 2>&1 &
                while :; do
                  for f in /run/nestlet-e2e/*.sh; do
                    [ -e "$f" ] || continue
                    job=${f%.sh}
                    mv "$f" "$job.run"
                    sh "$job.run" > "$job.out" 2>&1
                    echo $? > "$job.rc.tmp" && mv "$job.rc.tmp" "$job.rc"
                  done
                  sleep 0.05
                done
                """);
        init.toFile().setExecutable(true, false);
        Path unit = root.resolve("etc/systemd/system/nestlet-e2e.service");
        Files.writeString(
                unit,
                """
                [Unit]
                Description=Runs the scripts of nestlet's tests (when systemd is the init)
                [Service]
                Environment=DOCKERD=no
                ExecStart=/usr/local/bin/nestlet-e2e-init
                [Install]
                WantedBy=multi-user.target
                """);
        Path wants =
                Files.createDirectories(root.resolve("etc/systemd/system/multi-user.target.wants"));
        Files.createSymbolicLink(
                wants.resolve("nestlet-e2e.service"),
                Path.of("/etc/systemd/system/nestlet-e2e.service"));
    }
}
