package dev.nestlet.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * podman's containers.conf: {@code [engine.runtimes] nestlet = [PATH]} (so {@code podman --runtime
 * nestlet} works) and nestlet's hooks dir in {@code [engine] hooks_dir} (nestlet-hook, run only for
 * containers annotated {@code io.nestlet.mode=system}). A hooks_dir podman already has gets
 * nestlet's dir added in front; where there is none, podman's default is kept beside it.
 */
final class PodmanConfig implements EngineConfig {
    /** podman's hooks_dir when containers.conf sets none (containers/common's default). */
    static final String DEFAULT_HOOKS_DIR = "/usr/share/containers/oci/hooks.d";

    @Override
    public Plan plan(NodeFiles files, String config, Layout layout) throws IOException {
        Optional<String> before = files.read(config);
        String text = before.orElse("");
        TomlOutline o = TomlOutline.of(config, text);
        List<Insertion> edits = new ArrayList<>();
        StringBuilder appended = new StringBuilder();
        Optional<TomlOutline.Table> engine = o.table(List.of("engine"));
        Optional<TomlOutline.Key> hooks = o.key(List.of("engine"), List.of("hooks_dir"));
        if (hooks.isPresent()) {
            List<String> dirs = TomlOutline.strings(o.value(hooks.get()));
            if (!dirs.contains(layout.hooksDir())) {
                if (!o.value(hooks.get()).startsWith("[")) {
                    throw new IllegalArgumentException(
                            config
                                    + ": [engine] hooks_dir is not an array; add "
                                    + layout.hooksDir()
                                    + " by hand");
                }
                edits.add(
                        new Insertion(
                                hooks.get().valueStart() + 1,
                                quoted(layout.hooksDir()) + (dirs.isEmpty() ? "" : ", ")));
            }
        } else if (!layout.hooksDir().equals(DEFAULT_HOOKS_DIR)) {
            String line =
                    "hooks_dir = ["
                            + quoted(DEFAULT_HOOKS_DIR)
                            + ", "
                            + quoted(layout.hooksDir())
                            + "]\n";
            if (engine.isPresent()) {
                edits.add(Insertion.lines(text, engine.get().bodyStart(), line));
            } else {
                appended.append("[engine]\n").append(line);
            }
        }
        Optional<TomlOutline.Table> runtimes = o.table(List.of("engine", "runtimes"));
        String runtimeLine = "nestlet = [" + quoted(layout.runtime()) + "]\n";
        if (o.defines(List.of("engine", "runtimes", "nestlet"))) {
            if (edits.isEmpty() && appended.isEmpty()) {
                return Plan.registered(config);
            }
        } else if (runtimes.isPresent()) {
            edits.add(Insertion.lines(text, runtimes.get().bodyStart(), runtimeLine));
        } else {
            appended.append(appended.isEmpty() ? "" : "\n")
                    .append("[engine.runtimes]\n")
                    .append(runtimeLine);
        }
        if (!appended.isEmpty()) {
            edits.add(
                    Insertion.append(
                            text,
                            "# nestlet: `nestletctl engine uninstall podman` removes it.\n"
                                    + appended));
        }
        return new Plan(List.of(new FileChange(config, before, edits)), List.of());
    }

    private static String quoted(String s) {
        return TomlOutline.quote(s);
    }
}
