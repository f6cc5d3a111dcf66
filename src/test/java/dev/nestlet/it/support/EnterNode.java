package dev.nestlet.it.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that enters a node of the tests (src/test/resources/kube/enter-node.sh under
 * unshare): shared by {@link KubeNode} (with a network namespace of its own) and {@link DebianNode}
 * (with the host's network, for apt).
 */
final class EnterNode {
    private EnterNode() {}

    /** Up to the shared paths: append them, then "--" and the node's main command. */
    static List<String> command(boolean ownNetwork, Path root, Path testDir) {
        Path script =
                Path.of(System.getProperty("nestlet.testResources", "src/test/resources"))
                        .resolve("kube/enter-node.sh");
        List<String> cmd = new ArrayList<>(List.of("unshare", "--mount"));
        if (ownNetwork) {
            cmd.add("--net");
        }
        cmd.addAll(
                List.of(
                        "--propagation",
                        "private",
                        "sh",
                        script.toString(),
                        root.toString(),
                        testDir.toString()));
        return cmd;
    }
}
