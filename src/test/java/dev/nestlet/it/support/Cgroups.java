package dev.nestlet.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A cgroup subtree that an engine fixture gives all its containers (docker {@code --cgroup-parent},
 * podman {@code run --cgroup-parent}, the containerd namespace that ctr uses as the parent).
 * Because the subtree is the test's own, every process in it is the test's: cleanup finds container
 * processes there by PID even when the engine that started them is gone, then removes the
 * directories the runtimes left. Works on v1, hybrid and pure v2 layouts.
 */
public final class Cgroups {
    private Cgroups() {}

    /** Mount points of every cgroup hierarchy: v1 controllers, name=systemd, cgroup2. */
    public static List<Path> hierarchies() {
        List<Path> out = new ArrayList<>();
        for (String line : Mounts.mountInfoLines("self")) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            String type = f[dash + 1];
            if (type.equals("cgroup") || type.equals("cgroup2")) {
                out.add(Path.of(Mounts.unescape(f[4])));
            }
        }
        return out;
    }

    /**
     * The directories of {@code parent} (e.g. "/nestlet-it-docker-1a2b3c4d") that exist, one per
     * hierarchy.
     */
    public static List<Path> dirs(String parent) {
        String rel = relative(parent);
        return hierarchies().stream().map(h -> h.resolve(rel)).filter(Files::isDirectory).toList();
    }

    /** Every process in {@code parent} or below it, in any hierarchy. */
    public static Set<Long> pids(String parent) {
        Set<Long> out = new LinkedHashSet<>();
        for (Path top : dirs(parent)) {
            try (Stream<Path> tree = Files.walk(top)) {
                for (Path procs :
                        (Iterable<Path>)
                                tree.filter(p -> p.getFileName().toString().equals("cgroup.procs"))
                                        ::iterator) {
                    for (String l : Files.readAllLines(procs)) {
                        if (!l.isBlank()) {
                            out.add(Long.parseLong(l.trim()));
                        }
                    }
                }
            } catch (IOException e) {
                // A runtime removed a directory while we walked: look again next round.
            }
        }
        return out;
    }

    /**
     * SIGKILLs every process in the subtree (by PID), then removes its directories, deepest first.
     */
    public static void killAndRemove(String parent) {
        if (relative(parent).isEmpty()) {
            throw new IllegalArgumentException("refusing to clean the root cgroup");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Set<Long> pids = pids(parent);
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            for (Path top : dirs(parent)) {
                removeTree(top);
            }
            if (pids.isEmpty() && dirs(parent).isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "cgroup "
                                + parent
                                + " not removable: pids "
                                + pids(parent)
                                + ", dirs "
                                + dirs(parent));
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted cleaning cgroup " + parent, e);
            }
        }
    }

    private static void removeTree(Path top) {
        List<Path> subdirs;
        try (Stream<Path> tree = Files.walk(top)) {
            subdirs = tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            return;
        }
        for (Path d : subdirs) {
            try {
                Files.delete(d); // rmdir: cgroupfs refuses while processes remain, which the caller
                // retries
            } catch (IOException e) {
                // busy or already gone
            }
        }
    }

    private static String relative(String parent) {
        String p = parent;
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p;
    }
}
