package dev.nestlet.shift;

import dev.nestlet.host.HostTree;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.kernel.KernelFeature;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.proc.MountInfo;
import dev.nestlet.proc.MountTable;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Makes a container's root filesystem and bind-mounted host paths appear owned by its root without
 * copying them: ID-mapped mounts through a user namespace carrying the container's range, attached
 * under {@code STATE/mounts/ID}. An overlay root (what engines hand over) cannot be id-mapped
 * itself, so it is rebuilt from id-mapped copies of its layers; files the container's root writes
 * land in the engine's upper dir owned by host root, as they would without nestlet. Where the
 * kernel refuses, the rootfs is copied with shifted owners instead. All mounts are made in
 * nestletd's mount namespace, which the engine must see (the host's).
 */
public final class RootfsShifter {
    private static final Logger LOG = Logger.getLogger(RootfsShifter.class.getName());

    private final Path base;
    private final UserNamespaces userns;
    private final boolean copyOnly;
    private final KernelFeatures kernel;

    /**
     * @param copyOnly never id-map: always copy with shifted owners
     * @param kernel which ways the kernel offers: without ID-mapped mounts (or overlay over them,
     *     for an overlay rootfs) the rootfs is copied
     */
    public RootfsShifter(
            Path stateDir, UserNamespaces userns, boolean copyOnly, KernelFeatures kernel)
            throws IOException {
        this.base = HostTree.traversableDir(stateDir.resolve("mounts"));
        this.userns = userns;
        this.copyOnly = copyOnly;
        this.kernel = kernel;
    }

    public Path dirOf(String id) {
        return base.resolve(id);
    }

    /** A bind-mounted host path to shift: {@code source} as the config names it. */
    public record Volume(String destination, Path source, boolean recursive) {}

    /**
     * Shifted rootfs and volumes; the caller rewrites config.json with {@link ShiftResult#root()}
     * and the new sources.
     */
    public record Shifted(ShiftResult result, List<Path> volumeSources) {}

    public Shifted shift(String id, Path rootfs, IdRange range, List<Volume> volumes)
            throws IOException, InterruptedException {
        Path dir = HostTree.traversableDir(dirOf(id));
        HostTree.traversableDir(dir.resolve("vol"));
        List<String> mounts = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String method = null;
        Path root = dir.resolve("rootfs");
        try {
            Fd ns = userns.withMapping(range);
            Optional<MountInfo> overlay = overlayAt(rootfs);
            Optional<String> without = lacking(overlay.isPresent());
            if (copyOnly) {
                notes.add("nestletd runs with --shift=copy");
            } else if (without.isPresent()) {
                notes.add(without.get() + ": copied with shifted owners");
            } else {
                try {
                    if (overlay.isPresent()) {
                        rebuildOverlay(
                                OverlayLayers.parse(overlay.get().superOptions()),
                                dir,
                                root,
                                ns,
                                range,
                                mounts,
                                kernel.has(KernelFeature.OVERLAY_LOWERDIR_APPEND));
                        method = "idmap-overlay";
                    } else {
                        IdmappedMounts.attach(rootfs, root, ns, true);
                        mounts.add(root.toString());
                        method = "idmap";
                    }
                } catch (SysException | IllegalArgumentException e) {
                    undo(mounts);
                    mounts.clear();
                    notes.add(
                            "id-mapped mount refused ("
                                    + e.getMessage()
                                    + "): copied with shifted owners");
                }
            }
            if (method == null) {
                root = dir.resolve("copy");
                long n = ChownCopy.copy(rootfs, root, range);
                LOG.info("rootfs of " + id + " copied with " + n + " owners shifted");
                method = "chown-copy";
            }
            List<String> volumeNotes = new ArrayList<>();
            List<Path> sources = new ArrayList<>();
            for (int i = 0; i < volumes.size(); i++) {
                Volume v = volumes.get(i);
                Path target = dir.resolve("vol").resolve(Integer.toString(i));
                Optional<String> noIdmap = kernel.whyAbsent(KernelFeature.IDMAPPED_MOUNTS);
                if (noIdmap.isPresent()) {
                    sources.add(v.source());
                    volumeNotes.add(
                            v.destination()
                                    + ": "
                                    + v.source()
                                    + " left as is (ID-mapped mounts "
                                    + noIdmap.get()
                                    + ")");
                    continue;
                }
                try {
                    IdmappedMounts.attach(v.source(), target, ns, v.recursive());
                    mounts.add(target.toString());
                    sources.add(target);
                    volumeNotes.add(v.destination() + ": " + v.source() + " id-mapped");
                } catch (SysException e) {
                    sources.add(v.source());
                    volumeNotes.add(
                            v.destination()
                                    + ": "
                                    + v.source()
                                    + " left as is ("
                                    + e.getMessage()
                                    + ")");
                }
            }
            return new Shifted(
                    new ShiftResult(
                            method, rootfs.toString(), root.toString(), mounts, volumeNotes, notes),
                    sources);
        } catch (IOException | InterruptedException | RuntimeException e) {
            release(id, mounts);
            throw e;
        }
    }

    /**
     * The kernel feature an id-mapped rootfs needs and nestletd may not use, as a note: ID-mapped
     * mounts, and overlay over them for an overlay rootfs.
     */
    private Optional<String> lacking(boolean overlay) {
        List<KernelFeature> needed =
                overlay
                        ? List.of(KernelFeature.IDMAPPED_MOUNTS, KernelFeature.OVERLAY_IDMAPPED)
                        : List.of(KernelFeature.IDMAPPED_MOUNTS);
        for (KernelFeature f : needed) {
            Optional<String> why = kernel.whyAbsent(f);
            if (why.isPresent()) {
                return Optional.of(f.title() + " " + why.get());
            }
        }
        return Optional.empty();
    }

    /**
     * lowerdir+ (one fsconfig call per layer, Linux 6.8) has no length limit and no escaping;
     * without it ({@code appendLayers} false) the layers go in one lowerdir value, ':'-separated,
     * which fsconfig takes up to 255 bytes: their names relative to the thread's working directory
     * ("0:1:2"), so up to 88 layers (more, the kernel refuses and the rootfs is copied).
     *
     * <p>overlayfs does every upper-layer operation (work dir, copy-up) with its creator's
     * credentials. Through an id-mapped upper, host root has no mapping (EOVERFLOW, and the overlay
     * falls back to read-only); so the superblock is created by a thread whose fsuid/fsgid are the
     * container's root, with its capabilities kept: on disk that is uid 0.
     */
    private static void rebuildOverlay(
            OverlayLayers layers,
            Path dir,
            Path root,
            Fd ns,
            IdRange range,
            List<String> mounts,
            boolean appendLayers)
            throws IOException, InterruptedException {
        if (layers.upper() == null
                || layers.work() == null
                || !layers.upper().getParent().equals(layers.work().getParent())) {
            throw new IllegalArgumentException(
                    "overlay upper and work dirs do not share a parent: " + layers);
        }
        List<Path> lower = new ArrayList<>();
        Path lowerParent = dir.resolve("lower");
        for (int i = 0; i < layers.lower().size(); i++) {
            Path l = lowerParent.resolve(Integer.toString(i));
            IdmappedMounts.attach(layers.lower().get(i), l, ns, false);
            mounts.add(l.toString());
            lower.add(l);
        }
        Path upperParent = dir.resolve("upper");
        IdmappedMounts.attach(layers.upper().getParent(), upperParent, ns, false);
        mounts.add(upperParent.toString());
        Files.createDirectories(root);
        Fd created =
                AsContainerRoot.call(
                        range,
                        () -> {
                            Fd ctx = MountCalls.fsopen("overlay");
                            try {
                                if (appendLayers) {
                                    for (Path l : lower) {
                                        MountCalls.fsconfig(ctx, "lowerdir+", l.toString());
                                    }
                                } else {
                                    // fsconfig takes a value of at most 255 bytes: three of our
                                    // absolute layer paths do not fit, their names from a working
                                    // directory of the thread's own do (the kernel resolves
                                    // them against it, at this call from 6.5, at create before).
                                    NsCalls.unshare(NsCalls.CLONE_FS);
                                    FileCalls.chdir(lowerParent.toString());
                                    MountCalls.fsconfig(
                                            ctx,
                                            "lowerdir",
                                            lowerdirOption(
                                                    lower.stream()
                                                            .map(Path::getFileName)
                                                            .toList()));
                                }
                                // overlayfs unescapes upperdir and workdir too.
                                MountCalls.fsconfig(
                                        ctx,
                                        "upperdir",
                                        escaped(upperParent.resolve(layers.upper().getFileName())));
                                MountCalls.fsconfig(
                                        ctx,
                                        "workdir",
                                        escaped(upperParent.resolve(layers.work().getFileName())));
                                // The engine's overlay stays mounted on the same upper dir; with
                                // index=on a second one is refused.
                                MountCalls.fsconfig(ctx, "index", "off");
                                for (var o : layers.options().entrySet()) {
                                    if (!o.getKey().equals("index") && o.getValue() != null) {
                                        MountCalls.fsconfig(ctx, o.getKey(), o.getValue());
                                    }
                                }
                                MountCalls.fsconfigCreate(ctx);
                                return ctx;
                            } catch (RuntimeException e) {
                                ctx.close();
                                throw e;
                            }
                        });
        try (Fd ctx = created) {
            try (Fd m = MountCalls.fsmount(ctx, 0)) {
                MountCalls.moveMount(m, root.toString());
                mounts.add(root.toString());
            }
        }
    }

    /** The layers as one lowerdir value: ':' between them, each path {@link #escaped}. */
    static String lowerdirOption(List<Path> lower) {
        StringBuilder b = new StringBuilder();
        for (Path l : lower) {
            if (b.length() > 0) {
                b.append(':');
            }
            b.append(escaped(l));
        }
        return b.toString();
    }

    /**
     * A path as overlayfs's lowerdir, upperdir and workdir values take it: the kernel unescapes
     * them (a backslash takes the next character as it is), and ':' separates lower layers. A comma
     * needs nothing: fsconfig passes one value, and the kernels before 6.5 that join the values
     * into one option string refuse a comma whatever its escape.
     */
    static String escaped(Path p) {
        return p.toString().replace("\\", "\\\\").replace(":", "\\:");
    }

    /** The overlay mounted exactly at {@code rootfs}, if the engine handed one over. */
    private static Optional<MountInfo> overlayAt(Path rootfs) throws IOException {
        return MountTable.of("self")
                .topAt(rootfs.toString())
                .filter(m -> m.fsType().equals("overlay"));
    }

    private static void undo(List<String> mounts) {
        for (int i = mounts.size() - 1; i >= 0; i--) {
            IdmappedMounts.detach(Path.of(mounts.get(i)));
        }
    }

    /**
     * Takes off the mounts nestlet made for {@code id} ({@code made}, when the record knows them)
     * and removes its directory (and copy). Idempotent; anything left mounted below is found and
     * taken off by removeTree.
     */
    public void release(String id, List<String> made) throws IOException {
        undo(made);
        HostTree.removeTree(dirOf(id));
    }

    /** Ids with something under STATE/mounts, for the reconciler. */
    public List<String> leftoverIds() throws IOException {
        try (var s = Files.list(base)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
