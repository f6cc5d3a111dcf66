package dev.nestlet.kernel;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SeccompCalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One real probe per kernel feature, shared by nestletd's start and {@code nestletctl doctor}: each
 * does what nestletd will do, on a scratch dir of the state dir's filesystem or a detached mount,
 * and throws when the kernel refuses. Nothing stays mounted.
 */
public final class KernelProbes {
    private KernelProbes() {}

    /** Probes {@code feature}; throws with the kernel's answer when it is missing. */
    public static void probe(KernelFeature feature, Path stateDir, ProbeNamespace userns)
            throws IOException, InterruptedException {
        switch (feature) {
            case MOUNT_API -> mountApi(stateDir);
            case SECCOMP_NOTIFY -> SeccompCalls.checkSizes();
            case OPENAT2 -> openat2();
            case PIDFD_GETFD -> pidfdGetfd();
            case IDMAPPED_MOUNTS -> idmappedMounts(stateDir, userns.userns());
            case OVERLAY_IDMAPPED -> overlayIdmapped(stateDir, userns.userns());
            case TMPFS_IDMAP -> tmpfsIdmap(userns.userns());
            case OVERLAY_LOWERDIR_APPEND -> lowerdirAppend(stateDir);
            case PROC_PIDNS -> procPidns();
        }
    }

    /** A tmpfs made with fsopen/fsmount, attached with move_mount and cloned with open_tree. */
    public static void mountApi(Path stateDir) throws IOException {
        try (Scratch s = new Scratch(stateDir);
                Fd ctx = MountCalls.fsopen("tmpfs")) {
            MountCalls.fsconfigCreate(ctx);
            Path at = s.dir("tmpfs");
            try (Fd mnt = MountCalls.fsmount(ctx, 0)) {
                MountCalls.moveMount(mnt, at.toString());
            }
            s.mounted(at);
            MountCalls.openTreeClone(at.toString(), false).close();
        }
    }

    private static void openat2() {
        try (Fd root = FileCalls.open("/", FileCalls.O_PATH | FileCalls.O_DIRECTORY, 0)) {
            FileCalls.openat2(root, ".", FileCalls.O_PATH, 0, FileCalls.RESOLVE_IN_ROOT).close();
        }
    }

    private static void pidfdGetfd() {
        try (Fd self = PidCalls.pidfdOpen(PidCalls.getpid())) {
            PidCalls.pidfdGetfd(self, self.get()).close();
        }
    }

    /** A clone of the state dir (or its nearest existing parent) gets MOUNT_ATTR_IDMAP. */
    public static void idmappedMounts(Path stateDir, Fd userns) {
        try (Fd tree = MountCalls.openTreeClone(Scratch.existing(stateDir).toString(), false)) {
            MountCalls.setAttr(tree, false, MountCalls.MOUNT_ATTR_IDMAP, 0, userns.get());
        }
    }

    /** An overlay over an ID-mapped clone of a scratch dir shows that dir's file. */
    public static void overlayIdmapped(Path stateDir, Fd userns) throws IOException {
        try (Scratch s = new Scratch(stateDir)) {
            Path lower = s.dir("lower");
            Files.writeString(lower.resolve("probe"), "nestlet\n");
            Path mapped = s.dir("mapped");
            try (Fd tree = MountCalls.openTreeClone(lower.toString(), false)) {
                MountCalls.setAttr(tree, false, MountCalls.MOUNT_ATTR_IDMAP, 0, userns.get());
                MountCalls.moveMount(tree, mapped.toString());
            }
            s.mounted(mapped);
            Path merged = s.dir("merged");
            MountCalls.mount(
                    "overlay",
                    merged.toString(),
                    "overlay",
                    0,
                    "lowerdir="
                            + mapped
                            + ",upperdir="
                            + s.dir("upper")
                            + ",workdir="
                            + s.dir("work"));
            s.mounted(merged);
            if (!Files.readString(merged.resolve("probe")).equals("nestlet\n")) {
                throw new IllegalStateException("the overlay does not show its lower layer");
            }
        }
    }

    /** A detached new tmpfs gets MOUNT_ATTR_IDMAP. */
    public static void tmpfsIdmap(Fd userns) {
        try (Fd ctx = MountCalls.fsopen("tmpfs")) {
            MountCalls.fsconfigCreate(ctx);
            try (Fd mnt = MountCalls.fsmount(ctx, 0)) {
                MountCalls.setAttr(mnt, false, MountCalls.MOUNT_ATTR_IDMAP, 0, userns.get());
            }
        }
    }

    /**
     * An overlay superblock from two lower layers given one by one ("lowerdir+"); older kernels
     * take the key (legacy option text) and refuse it at creation.
     */
    public static void lowerdirAppend(Path stateDir) throws IOException {
        try (Scratch s = new Scratch(stateDir);
                Fd ctx = MountCalls.fsopen("overlay")) {
            MountCalls.fsconfig(ctx, "lowerdir+", s.dir("a").toString());
            MountCalls.fsconfig(ctx, "lowerdir+", s.dir("b").toString());
            MountCalls.fsconfigCreate(ctx);
        }
    }

    /** proc's "pidns" parameter, given on a new proc context that is never mounted. */
    public static void procPidns() {
        try (Fd ctx = MountCalls.fsopen("proc");
                Fd pidns = FileCalls.open("/proc/self/ns/pid", FileCalls.O_RDONLY, 0)) {
            MountCalls.fsconfigFd(ctx, "pidns", pidns);
        }
    }
}
