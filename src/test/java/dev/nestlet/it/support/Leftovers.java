package dev.nestlet.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The last step of every engine fixture's close(), run even when the engine's own shutdown failed:
 * whatever still names the fixture's dir or sits in its cgroup subtree is the test's by
 * construction, so it is stopped by PID, unmounted and removed; then anything still there fails the
 * test.
 */
public final class Leftovers {
    private Leftovers() {}

    /**
     * Stops processes naming {@code dir}, kills the cgroup subtree, unmounts below {@code dir};
     * fails if any of it stays.
     */
    public static void sweep(Path dir, String cgroupParent) {
        List<ProcessHandle> procs = Processes.mentioning(dir.toString());
        if (!procs.isEmpty()) {
            Processes.stop(procs, 2_000);
        }
        Cgroups.killAndRemove(cgroupParent);
        Mounts.unmountBelow(dir);
        List<String> left = find(dir, cgroupParent);
        if (!left.isEmpty()) {
            throw new AssertionError(
                    "left behind by the fixture in " + dir + ":\n" + String.join("\n", left));
        }
    }

    /**
     * Processes naming {@code dir}, processes and dirs of the cgroup subtree, mounts below {@code
     * dir}.
     */
    public static List<String> find(Path dir, String cgroupParent) {
        List<String> out = new ArrayList<>();
        for (ProcessHandle h : Processes.mentioning(dir.toString())) {
            out.add("process " + Processes.describe(h));
        }
        for (long pid : Cgroups.pids(cgroupParent)) {
            out.add(
                    "process in "
                            + cgroupParent
                            + ": "
                            + pid
                            + " "
                            + String.join(" ", Processes.argv(pid)));
        }
        for (Path d : Cgroups.dirs(cgroupParent)) {
            out.add("cgroup " + d);
        }
        String d = dir.toString();
        for (String p : Mounts.mountPoints()) {
            if (p.equals(d) || p.startsWith(d + "/")) {
                out.add("mount " + p);
            }
        }
        return out;
    }
}
