package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A fresh Debian 12 machine for the package test: a minbase bookworm root of the test's own,
 * entered the way {@link KubeNode} enters its node (src/test/resources/kube/enter-node.sh: a
 * private mount namespace, the root bind-mounted on itself and pivot_root'ed into, fresh /run and
 * /tmp), with the host's network. The root is a copy of {@link DebianMinbase}. Commands run in it
 * through nsenter; its main process is a sleep, and with it go its mount namespace and every mount
 * made inside.
 */
public final class DebianNode implements AutoCloseable {
    private final Path root;
    private final Process process;

    private DebianNode(Path root, Process process) {
        this.root = root;
        this.process = process;
    }

    /**
     * Makes the root at {@code dir/root} and enters it; {@code testDir} and each of {@code shared}
     * (files or dirs of the host) appear at their host paths inside, the shared ones read-only.
     */
    public static DebianNode start(Path testDir, String... shared) throws Exception {
        Path root = testDir.resolve("root");
        Cmd.of("cp", "-a", "--reflink=auto", DebianMinbase.bookworm().toString(), root.toString())
                .timeout(300)
                .run()
                .ok();
        List<String> cmd = EnterNode.command(false, root, testDir);
        cmd.addAll(List.of(shared));
        cmd.addAll(List.of("--", "sh", "-c", "touch /run/node-ready && exec sleep infinity"));
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(testDir.resolve("node.log").toFile())
                        .start();
        DebianNode node = new DebianNode(root, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(Path.of("/proc/" + p.pid() + "/root/run/node-ready"))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                node.close();
                throw new AssertionError(
                        "node did not start: " + Files.readString(testDir.resolve("node.log")));
            }
            Thread.sleep(20);
        }
        return node;
    }

    /** The root on the host (what the node sees at /). */
    public Path root() {
        return root;
    }

    private List<String> enter() {
        return List.of("nsenter", "-t", String.valueOf(process.pid()), "-m", "--");
    }

    /** Runs a command inside the node, with apt and dpkg kept from asking questions. */
    public Cmd.Result exec(String... command) {
        return exec(300, command);
    }

    private Cmd.Result exec(int timeoutSeconds, String... command) {
        List<String> cmd = new ArrayList<>(enter());
        cmd.addAll(List.of("env", "DEBIAN_FRONTEND=noninteractive"));
        cmd.addAll(List.of(command));
        return Cmd.of(cmd).timeout(timeoutSeconds).run();
    }

    /**
     * Installs {@code packages} from Debian with apt inside the node, without recommends, starting
     * no service (a policy-rc.d saying no while apt runs, as scripts/debian-rootfs.sh does): the
     * engines' packages would start dockerd and containerd through their init scripts. A root that
     * has them already changes nothing.
     */
    public void install(String... packages) throws IOException {
        Path policy = root.resolve("usr/sbin/policy-rc.d");
        Files.writeString(policy, "#!/bin/sh\nexit 101\n");
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rwxr-xr-x"));
        try {
            List<String> cmd =
                    new ArrayList<>(
                            List.of("apt-get", "install", "-y", "-q", "--no-install-recommends"));
            cmd.addAll(List.of(packages));
            exec(900, cmd.toArray(String[]::new)).ok();
        } finally {
            Files.delete(policy);
        }
    }

    /**
     * Starts a daemon inside the node (the process is the daemon itself: nsenter and env exec it),
     * output to {@code log}, and waits up to 60 s for {@code ready} in that log.
     */
    public Process daemon(Path log, String ready, String... command)
            throws IOException, InterruptedException {
        Process p = spawn(Map.of(), log, List.of(command));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains(ready)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                Processes.stop(List.of(p.toHandle()), 5_000);
                throw new AssertionError(command[0] + " not ready:\n" + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return p;
    }

    /** Starts a command inside the node with {@code env} added, output to {@code log}. */
    public Process spawn(Map<String, String> env, Path log, List<String> command)
            throws IOException {
        List<String> cmd = new ArrayList<>(enter());
        cmd.add("env");
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(command);
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .start();
    }

    @Override
    public void close() {
        Processes.stop(List.of(process.toHandle()), 5_000);
    }
}
