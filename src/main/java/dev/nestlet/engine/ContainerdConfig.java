package dev.nestlet.engine;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * containerd's CRI runtime handler {@code nestlet} (packaging/containerd/*.toml): the table's
 * namespace follows the config's {@code version} (1: {@code plugins.cri}, 2: containerd 1.x's
 * {@code io.containerd.grpc.v1.cri}, 3: containerd 2.x's {@code io.containerd.cri.v1.runtime}). An
 * absent config gets version 2, which containerd 2.x migrates. Where the config imports a glob
 * ({@code imports = ["/etc/containerd/conf.d/*.toml"]}) and the config is version 3, nestlet goes
 * into a drop-in {@code nestlet.toml} there and the config itself is left alone.
 */
final class ContainerdConfig implements EngineConfig {
    static final String DROP_IN = "nestlet.toml";

    @Override
    public Plan plan(NodeFiles files, String config, Layout layout) throws IOException {
        Optional<String> main = files.read(config);
        String text = main.orElse("");
        if (text.isBlank()) {
            return new Plan(
                    List.of(
                            new FileChange(
                                    config,
                                    main,
                                    List.of(
                                            Insertion.append(
                                                    text, "version = 2\n\n" + block(2, layout))))),
                    List.of());
        }
        TomlOutline o = TomlOutline.of(config, text);
        int version = version(config, o);
        List<String> nestlet = new ArrayList<>(runtimes(config, version));
        nestlet.add("nestlet");
        if (o.defines(nestlet)) {
            return Plan.registered(config);
        }
        String dir = parent(config);
        Optional<String> dropIn = Optional.empty();
        List<String> cri = nestlet.subList(0, 2);
        for (String pattern :
                o.key(List.of(), List.of("imports"))
                        .map(k -> TomlOutline.strings(o.value(k)))
                        .orElse(List.of())) {
            // As containerd resolves them: a relative glob from its working directory (/ as a
            // service), a relative file from the config's directory.
            String p =
                    pattern.startsWith("/")
                            ? pattern
                            : (pattern.contains("*") ? "" : dir) + "/" + pattern;
            String pdir = parent(p);
            String name = p.substring(pdir.length() + 1);
            for (String imported : files.glob(pdir, name)) {
                TomlOutline io = TomlOutline.of(imported, files.read(imported).orElse(""));
                if (io.defines(nestlet)) {
                    return Plan.registered(imported);
                }
                // containerd 1.x merges an imported file per plugin: the last file with a CRI
                // section replaces the others' whole (seen with 1.6.20), so nestlet goes there.
                if (version < 3 && io.defines(cri)) {
                    dropIn = Optional.of(imported);
                }
            }
            String candidate = pdir + "/" + DROP_IN;
            if (dropIn.isEmpty()
                    && version >= 3
                    && !candidate.equals(config)
                    && FileSystems.getDefault()
                            .getPathMatcher("glob:" + name)
                            .matches(Path.of(DROP_IN))) {
                dropIn = Optional.of(candidate);
            }
        }
        if (dropIn.isEmpty()) {
            return new Plan(
                    List.of(
                            new FileChange(
                                    config,
                                    main,
                                    List.of(Insertion.append(text, block(version, layout))))),
                    List.of());
        }
        Optional<String> existing = files.read(dropIn.get());
        String d = existing.orElse("");
        String head = d.isBlank() ? "version = " + version + "\n\n" : "";
        return new Plan(
                List.of(
                        new FileChange(
                                dropIn.get(),
                                existing,
                                List.of(Insertion.append(d, head + block(version, layout))))),
                List.of());
    }

    /** The handler's tables, as packaging/containerd/nestlet-containerd-{1,2}.toml hold them. */
    static String block(int version, Layout layout) {
        String table = header(version) + ".containerd.runtimes.nestlet";
        return "# nestlet's runtime handler: `nestletctl engine uninstall containerd` removes it.\n"
                + "["
                + table
                + "]\n"
                + "  runtime_type = \"io.containerd.runc.v2\"\n"
                + "  pod_annotations = [\"io.nestlet.*\"]\n"
                + "  container_annotations = [\"io.nestlet.*\"]\n"
                + "\n"
                + "["
                + table
                + ".options]\n"
                + "  BinaryName = "
                + TomlOutline.quote(layout.runtime())
                + "\n";
    }

    private static String header(int version) {
        return switch (version) {
            case 1 -> "plugins.cri";
            case 2 -> "plugins.\"io.containerd.grpc.v1.cri\"";
            default -> "plugins.'io.containerd.cri.v1.runtime'";
        };
    }

    private static List<String> runtimes(String config, int version) {
        String plugin =
                switch (version) {
                    case 1 -> "cri";
                    case 2 -> "io.containerd.grpc.v1.cri";
                    case 3 -> "io.containerd.cri.v1.runtime";
                    default ->
                            throw new IllegalArgumentException(
                                    config
                                            + ": config version "
                                            + version
                                            + " is not one containerd 1.x or 2.x reads");
                };
        return List.of("plugins", plugin, "containerd", "runtimes");
    }

    private static int version(String config, TomlOutline o) {
        Optional<TomlOutline.Key> k = o.key(List.of(), List.of("version"));
        if (k.isEmpty()) {
            return 1;
        }
        try {
            return Integer.parseInt(o.value(k.get()).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    config + ": version is not a number: " + o.value(k.get()), e);
        }
    }

    private static String parent(String nodePath) {
        int slash = nodePath.lastIndexOf('/');
        return slash <= 0 ? "" : nodePath.substring(0, slash);
    }
}
