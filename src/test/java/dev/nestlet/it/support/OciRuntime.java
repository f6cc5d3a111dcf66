package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * runc or crun with a state root of the test's own. crun refuses this machine's hybrid cgroup
 * layout (hugetlb on cgroup2), so each crun command runs in a private mount namespace with
 * /sys/fs/cgroup/unified unmounted, the PLATFORM.md fix that changes nothing on the host.
 */
public enum OciRuntime {
    RUNC("runc", 0),
    CRUN("crun", 1);

    private final String binary;
    private final int slot;

    OciRuntime(String binary, int slot) {
        this.binary = binary;
        this.slot = slot;
    }

    /**
     * Where this runtime's test ranges start past a test's base, so both runtimes' tests never
     * share ids.
     */
    public long idOffset() {
        return slot * 65536L;
    }

    public String binary() {
        return binary;
    }

    /**
     * What nestlet-runtime should exec for this runtime (its --nestlet-runtime): runc itself, or
     * for crun a script named crun in {@code dir} that applies the hybrid-cgroup fix and execs the
     * real one. The shim must run in the host's mount namespace (where nestletd mounts the shifted
     * rootfs), so the private namespace starts only after it, in the script.
     */
    public String shimTarget(Path dir) throws java.io.IOException {
        if (this == RUNC) {
            return "runc";
        }
        Path script = dir.resolve("crun-hybrid-fix").resolve("crun");
        if (!java.nio.file.Files.exists(script)) {
            java.nio.file.Files.createDirectories(script.getParent());
            java.nio.file.Files.writeString(
                    script,
                    "#!/bin/sh\n"
                            + "# crun refuses this machine's hybrid cgroups: hide cgroup2 in a private mount namespace\n"
                            + "exec unshare -m --propagation private sh -c "
                            + "'umount /sys/fs/cgroup/unified 2>/dev/null; exec /usr/bin/crun \"$@\"' crun \"$@\"\n");
            script.toFile().setExecutable(true);
        }
        return script.toString();
    }

    /** The command line of {@code args} for this runtime with state under {@code root}. */
    public List<String> command(Path root, String... args) {
        List<String> cmd = invocation();
        cmd.add("--root");
        cmd.add(root.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /**
     * How to start this runtime here, before its own arguments (for crun: inside the hybrid-cgroup
     * fix).
     */
    public List<String> invocation() {
        List<String> cmd = new ArrayList<>();
        if (this == CRUN) {
            cmd.addAll(
                    List.of(
                            "unshare",
                            "-m",
                            "--propagation",
                            "private",
                            "sh",
                            "-c",
                            "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$@\"",
                            "crun-hybrid-fix"));
        }
        cmd.add(binary);
        return cmd;
    }

    /**
     * The shell line that replaces a wrapper script with this runtime, passing on the script's
     * arguments.
     */
    public String execLine() {
        StringBuilder sb = new StringBuilder("exec");
        for (String word : invocation()) {
            sb.append(' ').append(shellQuote(word));
        }
        return sb.append(" \"$@\"").toString();
    }

    /**
     * An executable script at {@code file} that runs this runtime with its arguments: what an
     * engine can be given as a runtime path (podman {@code --runtime}, dockerd {@code
     * --add-runtime}, ctr {@code --runc-binary}), so crun works with engines on this hybrid-cgroup
     * machine.
     */
    public Path script(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n" + execLine() + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    static String shellQuote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
