package dev.nestlet.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whether one engine is installed and has nestlet-runtime in its default config files: a simple
 * read-only probe (the text of the files names it or not). {@code nestletctl engine status} (issue
 * 12) is meant to say more.
 */
final class EngineCheck implements Check {
    private final String engine;
    private final Path root;
    private final List<String> binaries;
    private final List<String> configs;
    private final String howTo;

    /**
     * @param binaries where the engine's program may be, relative to {@code root}
     * @param configs its config files and drop-in dirs (every file in them), relative to root
     * @param howTo how to register nestlet-runtime with it
     */
    EngineCheck(
            String engine, Path root, List<String> binaries, List<String> configs, String howTo) {
        this.engine = engine;
        this.root = root;
        this.binaries = binaries;
        this.configs = configs;
        this.howTo = howTo;
    }

    /** The four engines nestlet is tested with, at their packages' default paths. */
    static List<Check> all(Path root) {
        return List.of(
                new EngineCheck(
                        "containerd",
                        root,
                        List.of("usr/bin/containerd", "usr/local/bin/containerd"),
                        List.of("etc/containerd/config.toml", "etc/containerd/conf.d"),
                        "a runtime handler running nestlet-runtime: packaging/containerd/"),
                new EngineCheck(
                        "crio",
                        root,
                        List.of("usr/bin/crio", "usr/local/bin/crio"),
                        List.of("etc/crio/crio.conf", "etc/crio/crio.conf.d"),
                        "a drop-in: packaging/crio/50-nestlet.conf"),
                new EngineCheck(
                        "podman",
                        root,
                        List.of("usr/bin/podman", "usr/local/bin/podman"),
                        List.of(
                                "etc/containers/containers.conf",
                                "etc/containers/containers.conf.d",
                                "usr/share/containers/containers.conf"),
                        "a [engine.runtimes] entry in containers.conf, or podman --runtime"),
                new EngineCheck(
                        "docker",
                        root,
                        List.of("usr/bin/dockerd", "usr/sbin/dockerd", "usr/local/bin/dockerd"),
                        List.of("etc/docker/daemon.json"),
                        "\"runtimes\" in /etc/docker/daemon.json, or dockerd --add-runtime"));
    }

    @Override
    public String name() {
        return "engine " + engine;
    }

    @Override
    public CheckResult run() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String c : configs) {
            Path p = root.resolve(c);
            if (Files.isDirectory(p)) {
                try (Stream<Path> in = Files.list(p)) {
                    in.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            }
        }
        boolean installed = binaries.stream().anyMatch(b -> Files.exists(root.resolve(b)));
        if (!installed && files.isEmpty()) {
            return CheckResult.ok(name(), "not installed");
        }
        for (Path f : files) {
            if (Files.readString(f).contains("nestlet-runtime")) {
                return CheckResult.ok(name(), "nestlet-runtime registered in " + f);
            }
        }
        return CheckResult.warn(
                name(),
                "installed, nestlet-runtime not in "
                        + (files.isEmpty() ? "any default config file" : files),
                fix());
    }

    @Override
    public Status whenThrown() {
        return Status.WARN;
    }

    @Override
    public String fix() {
        return "register it with "
                + engine
                + " if it should run system containers: "
                + howTo
                + " (docs/engines.md)";
    }
}
