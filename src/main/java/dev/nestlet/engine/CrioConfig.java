package dev.nestlet.engine;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * CRI-O's runtime handler {@code nestlet} in a drop-in of its own (packaging/crio/50-nestlet.conf):
 * CRI-O reads every file of crio.conf.d, so nothing else is edited. nestlet-runtime execs runc, so
 * the state root is runc's; {@code allowed_annotations} lets the opt-out annotation through.
 */
final class CrioConfig implements EngineConfig {
    private static final List<String> NESTLET = List.of("crio", "runtime", "runtimes", "nestlet");

    @Override
    public Plan plan(NodeFiles files, String config, Layout layout) throws IOException {
        Optional<String> before = files.read(config);
        String text = before.orElse("");
        if (TomlOutline.of(config, text).defines(NESTLET)) {
            return Plan.registered(config);
        }
        return new Plan(
                List.of(
                        new FileChange(
                                config, before, List.of(Insertion.append(text, block(layout))))),
                List.of());
    }

    static String block(Layout layout) {
        return "# nestlet's runtime handler: `nestletctl engine uninstall crio` removes it.\n"
                + "[crio.runtime.runtimes.nestlet]\n"
                + "runtime_path = "
                + TomlOutline.quote(layout.runtime())
                + "\n"
                + "runtime_type = \"oci\"\n"
                + "runtime_root = \"/run/runc\"\n"
                + "allowed_annotations = [\"io.nestlet.mode\"]\n";
    }
}
