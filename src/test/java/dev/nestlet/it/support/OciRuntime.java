package dev.nestlet.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * runc or crun with a state root of the test's own. crun refuses this
 * machine's hybrid cgroup layout (hugetlb on cgroup2), so each crun command
 * runs in a private mount namespace with /sys/fs/cgroup/unified unmounted, the
 * PLATFORM.md fix that changes nothing on the host.
 */
public enum OciRuntime {
    RUNC("runc"),
    CRUN("crun");

    private final String binary;

    OciRuntime(String binary) {
        this.binary = binary;
    }

    public String binary() {
        return binary;
    }

    /** The command line of {@code args} for this runtime with state under {@code root}. */
    public List<String> command(Path root, String... args) {
        List<String> cmd = new ArrayList<>();
        if (this == CRUN) {
            cmd.addAll(List.of("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "umount /sys/fs/cgroup/unified 2>/dev/null; exec \"$@\"", "crun-hybrid-fix"));
        }
        cmd.add(binary);
        cmd.add("--root");
        cmd.add(root.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
