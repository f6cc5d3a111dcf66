package dev.nestlet.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code nestletctl engine install|uninstall|status}: registers nestlet-runtime with an engine by
 * inserting text into its config, keeps the original beside an install record, and takes exactly
 * what it inserted out again. Idempotent: a second install finds nothing to change.
 */
public final class EngineInstaller {
    private final Engine engine;
    private final NodeFiles files;
    private final EngineState state;

    /** {@code root}: the node's root as seen from here ("/" on the node itself). */
    public EngineInstaller(Engine engine, Path root) {
        this.engine = engine;
        this.files = new NodeFiles(root);
        this.state = new EngineState(files, engine);
    }

    /** Merges nestlet into the engine's config ({@code config} null: the engine's default). */
    public Outcome install(String config, String prefix, boolean dryRun) throws IOException {
        String cfg = config != null ? config : engine.defaultConfig();
        Layout layout = new Layout(prefix != null ? prefix : Layout.DEFAULT_PREFIX);
        Optional<InstallRecord> old = state.record();
        // Planned against the originals of a previous install, so a new prefix replaces its text.
        NodeFiles planned = new NodeFiles(files.root());
        Map<String, Optional<String>> originals = new LinkedHashMap<>();
        if (old.isPresent()) {
            for (int i = 0; i < old.get().files().size(); i++) {
                InstallRecord.Entry e = old.get().files().get(i);
                Optional<String> orig = state.original(old.get(), i);
                if (!files.read(e.path())
                        .equals(Optional.of(Insertion.apply(orig.orElse(""), e.insertions())))) {
                    return changedSinceInstall(cfg, layout, e.path());
                }
                originals.put(e.path(), orig);
                planned.overlay(e.path(), orig);
            }
        }
        Plan plan = engine.config().plan(planned, cfg, layout);
        Map<String, Optional<String>> desired = new LinkedHashMap<>();
        originals.forEach(desired::put);
        List<InstallRecord.Entry> entries = new ArrayList<>();
        List<Optional<String>> kept = new ArrayList<>();
        for (FileChange c : plan.changes()) {
            desired.put(c.path(), Optional.of(c.after()));
            entries.add(new InstallRecord.Entry(c.path(), c.before().isPresent(), c.insertions()));
            kept.add(c.before());
        }
        StringBuilder out = new StringBuilder();
        plan.notes().forEach(n -> out.append(engine.id()).append(": ").append(n).append('\n'));
        Map<String, Optional<String>> writes = writes(desired);
        if (writes.isEmpty()) {
            out.append(engine.id()).append(": nothing to change\n");
            return new Outcome(true, out.toString());
        }
        if (dryRun) {
            return new Outcome(
                    true,
                    out.append(diffs(writes)).append("dry run: nothing written\n").toString());
        }
        List<String> created =
                new ArrayList<>(old.map(InstallRecord::createdDirs).orElse(List.of()));
        created.addAll(missingDirs(EngineState.DIR + "/" + engine.id() + "/record.json"));
        for (String path : writes.keySet()) {
            created.addAll(missingDirs(path));
        }
        state.save(new InstallRecord(cfg, layout.prefix(), entries, created), kept);
        for (Map.Entry<String, Optional<String>> w : writes.entrySet()) {
            write(w.getKey(), w.getValue());
            out.append(engine.id())
                    .append(": wrote ")
                    .append(w.getKey())
                    .append(" (runtime nestlet: ")
                    .append(layout.runtime())
                    .append(")\n");
        }
        return new Outcome(true, out.append(restartNote()).toString());
    }

    /**
     * Puts back every file install wrote; refuses when one changed in a way that makes it unsafe.
     */
    public Outcome uninstall(boolean dryRun) throws IOException {
        Optional<InstallRecord> record = state.record();
        if (record.isEmpty()) {
            return new Outcome(
                    true,
                    engine.id()
                            + ": nestletctl installed nothing here (no "
                            + state.dir().resolve("record.json")
                            + "); nothing to change\n");
        }
        Map<String, Optional<String>> desired = new LinkedHashMap<>();
        List<String> unsafe = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < record.get().files().size(); i++) {
            InstallRecord.Entry e = record.get().files().get(i);
            Optional<String> orig = state.original(record.get(), i);
            Optional<String> current = files.read(e.path());
            if (current.equals(Optional.of(Insertion.apply(orig.orElse(""), e.insertions())))) {
                desired.put(e.path(), orig);
                continue;
            }
            Optional<String> without = current.flatMap(c -> withoutInsertions(c, e.insertions()));
            if (without.isEmpty()) {
                unsafe.add(
                        e.path()
                                + (current.isEmpty()
                                        ? " is gone"
                                        : " no longer holds nestlet's lines as written")
                                + "; its original is "
                                + state.dir().resolve(i + ".orig"));
            } else {
                out.append(engine.id())
                        .append(": ")
                        .append(e.path())
                        .append(" changed since install: only nestlet's lines are taken out\n");
                desired.put(
                        e.path(),
                        without.get().isEmpty() && !e.existed() ? Optional.empty() : without);
            }
        }
        if (!unsafe.isEmpty()) {
            return new Outcome(
                    false,
                    engine.id()
                            + ": not uninstalled, nothing changed: "
                            + String.join("; ", unsafe)
                            + "\n");
        }
        Map<String, Optional<String>> writes = writes(desired);
        if (dryRun) {
            return new Outcome(
                    true,
                    out.append(diffs(writes)).append("dry run: nothing written\n").toString());
        }
        for (Map.Entry<String, Optional<String>> w : writes.entrySet()) {
            write(w.getKey(), w.getValue());
            out.append(engine.id())
                    .append(w.getValue().isPresent() ? ": restored " : ": removed ")
                    .append(w.getKey())
                    .append('\n');
        }
        state.remove(record.get());
        // Deepest first: a dir made for the state may hold one made for a config.
        List<String> dirs = new ArrayList<>(record.get().createdDirs());
        dirs.sort(Comparator.comparingInt(String::length).reversed());
        for (String dir : dirs) {
            removeIfEmpty(files.host(dir));
        }
        return new Outcome(true, out.append(restartNote()).toString());
    }

    /** Whether the engine's config registers runtime nestlet (by this tool or by hand). */
    public Outcome status(String config) throws IOException {
        Optional<InstallRecord> record = state.record();
        String cfg =
                config != null
                        ? config
                        : record.map(InstallRecord::config).orElse(engine.defaultConfig());
        Plan plan =
                engine.config()
                        .plan(
                                files,
                                cfg,
                                new Layout(
                                        record.map(InstallRecord::prefix)
                                                .orElse(Layout.DEFAULT_PREFIX)));
        if (!plan.changes().isEmpty()) {
            return new Outcome(
                    false, engine.id() + ": runtime nestlet is not registered (" + cfg + ")\n");
        }
        return new Outcome(
                true,
                engine.id()
                        + ": "
                        + plan.notes().get(0)
                        + (record.isPresent()
                                ? " (by nestletctl engine install)"
                                : " (not by nestletctl: uninstall leaves it)")
                        + "\n");
    }

    /** Install over an install whose files were edited since: fine if nestlet is still there. */
    private Outcome changedSinceInstall(String cfg, Layout layout, String path) throws IOException {
        Plan plan = engine.config().plan(files, cfg, layout);
        if (plan.changes().isEmpty()) {
            return new Outcome(
                    true,
                    engine.id()
                            + ": "
                            + path
                            + " changed since install, nestlet is still registered: nothing to change\n");
        }
        return new Outcome(
                false,
                engine.id()
                        + ": "
                        + path
                        + " changed since install and no longer registers nestlet; run `nestletctl engine uninstall "
                        + engine.id()
                        + "` first; nothing changed\n");
    }

    /** The files whose text on disk differs from {@code desired}. */
    private Map<String, Optional<String>> writes(Map<String, Optional<String>> desired)
            throws IOException {
        Map<String, Optional<String>> writes = new LinkedHashMap<>();
        for (Map.Entry<String, Optional<String>> d : desired.entrySet()) {
            if (!NodeFiles.readHost(files.host(d.getKey())).equals(d.getValue())) {
                writes.put(d.getKey(), d.getValue());
            }
        }
        return writes;
    }

    private String diffs(Map<String, Optional<String>> writes) throws IOException {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, Optional<String>> w : writes.entrySet()) {
            s.append(
                    UnifiedDiff.of(
                            w.getKey(), NodeFiles.readHost(files.host(w.getKey())), w.getValue()));
        }
        return s.toString();
    }

    private String restartNote() {
        return engine.id() + ": " + engine.restart() + "\n";
    }

    private static void removeIfEmpty(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                return;
            }
        }
        Files.delete(dir);
    }

    /** {@code text} with each insertion taken out, when each occurs exactly once in it. */
    private static Optional<String> withoutInsertions(String text, List<Insertion> insertions) {
        String s = text;
        for (Insertion i : insertions) {
            int at = s.indexOf(i.text());
            if (at < 0 || s.indexOf(i.text(), at + 1) >= 0) {
                return Optional.empty();
            }
            s = s.substring(0, at) + s.substring(at + i.text().length());
        }
        return Optional.of(s);
    }

    /** Node paths of the missing parents of {@code path}, deepest first. */
    private List<String> missingDirs(String path) {
        List<String> out = new ArrayList<>();
        for (String d = path.substring(0, path.lastIndexOf('/'));
                !d.isEmpty() && !Files.exists(files.host(d));
                d = d.substring(0, d.lastIndexOf('/'))) {
            out.add(d);
        }
        return out;
    }

    /**
     * Replaces the file through a temporary file beside it, with the original's mode and owner, so
     * the engine reads the old text or the new; removes it for an empty {@code text}.
     */
    private void write(String path, Optional<String> text) throws IOException {
        Path file = files.host(path);
        if (text.isEmpty()) {
            Files.deleteIfExists(file);
            return;
        }
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling("." + file.getFileName() + ".nestlet-tmp");
        Files.write(tmp, text.get().getBytes(StandardCharsets.ISO_8859_1));
        if (Files.exists(file)) {
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class);
            PosixFileAttributeView v =
                    Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
            v.setOwner(a.owner());
            v.setGroup(a.group());
            v.setPermissions(a.permissions());
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
