package dev.nestlet.pod;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.sys.ForkFence;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The network of a pod whose network namespace the host owns (every pod without {@code hostUsers:
 * false}): prepare gave the sandbox a network namespace of its own, created by the runtime inside
 * the pod's user namespace; here, at the sandbox's createRuntime, the interfaces the CNI plugins
 * configured (the veth end {@code eth0}...) move from the CNI namespace into it, and their
 * addresses and routes are set again (they do not move with a link). Root of the pod's user
 * namespace then owns the namespace: an inner dockerd can make its bridge and iptables rules, and
 * the pod keeps its IP. The namespace is pinned (bound at STATE/pods/ID.netns) so that at the
 * sandbox's release the interfaces go back, addresses included, to the CNI namespace before the CNI
 * DEL, which finds and removes them as it made them; then the pin goes and the namespace with it.
 *
 * <p>Uses the node's {@code ip} (iproute2), {@code nsenter} and {@code mount}.
 */
public final class PodNetwork implements Feature {
    private static final Logger LOG = Logger.getLogger(PodNetwork.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_S = 30;

    private final Path dir;

    public PodNetwork(Path stateDir) {
        this.dir = stateDir.resolve("pods");
    }

    @Override
    public String name() {
        return "pod network";
    }

    private Path pin(String id) {
        return dir.resolve(id + ".netns");
    }

    /**
     * The `ip -batch` lines that give the interfaces back their addresses (used in the CNI
     * namespace).
     */
    private Path addresses(String id) {
        return dir.resolve(id + ".addresses");
    }

    /** Which CNI namespace the interfaces came from. */
    private Path origin(String id) {
        return dir.resolve(id + ".cni");
    }

    @Override
    public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access)
            throws Exception {
        String cni = rec.annotations().get(PodSpec.CNI_NETNS);
        if (cni == null
                || !PodRef.of(rec.annotations(), rec.id()).map(PodRef::sandbox).orElse(false)) {
            return rec;
        }
        long t0 = System.nanoTime();
        String own = "/proc/" + rec.pid() + "/ns/net";
        Files.createDirectories(dir);
        Files.writeString(origin(rec.id()), cni);
        Path pin = pin(rec.id());
        Files.writeString(pin, "");
        run(null, "mount", "--bind", own, pin.toString());

        JsonNode links = JSON.readTree(run(cni, "ip", "-j", "addr", "show"));
        List<String> config = new ArrayList<>();
        List<String> back = new ArrayList<>();
        List<String> moved = new ArrayList<>();
        for (JsonNode l : links) {
            String name = l.path("ifname").asText();
            if (name.equals("lo") || name.isEmpty()) {
                continue;
            }
            moved.add(name);
            for (JsonNode a : l.path("addr_info")) {
                if (!"global".equals(a.path("scope").asText())) {
                    continue; // link-local addresses come back by themselves
                }
                String line =
                        "addr add "
                                + a.path("local").asText()
                                + "/"
                                + a.path("prefixlen").asInt()
                                + " dev "
                                + name;
                config.add(line);
                back.add(line);
            }
            config.add("link set dev " + name + " up");
            back.add("link set dev " + name + " up");
        }
        if (moved.isEmpty()) {
            throw new NestletException(
                    ErrorCode.CONFLICT,
                    "pod sandbox "
                            + rec.id()
                            + ": no interface in its CNI "
                            + "network namespace "
                            + cni
                            + " to move into the pod's own");
        }
        List<String> direct = new ArrayList<>();
        List<String> viaGateway = new ArrayList<>();
        for (String family : List.of("-4", "-6")) {
            for (JsonNode r : JSON.readTree(run(cni, "ip", "-j", family, "route", "show"))) {
                if ("kernel".equals(r.path("protocol").asText())
                        || !moved.contains(r.path("dev").asText())) {
                    continue; // the kernel makes the subnet routes again with the addresses
                }
                String dst = r.path("dst").asText();
                StringBuilder line =
                        new StringBuilder("route add ")
                                .append(
                                        dst.equals("default") && family.equals("-6")
                                                ? "::/0"
                                                : dst);
                if (r.has("gateway")) {
                    line.append(" via ").append(r.path("gateway").asText());
                }
                line.append(" dev ").append(r.path("dev").asText());
                if (r.has("scope") && !r.path("scope").asText().equals("universe")) {
                    line.append(" scope ").append(r.path("scope").asText());
                }
                if (r.has("prefsrc")) {
                    line.append(" src ").append(r.path("prefsrc").asText());
                }
                if (r.has("metric")) {
                    line.append(" metric ").append(r.path("metric").asInt());
                }
                (r.has("gateway") ? viaGateway : direct).add(line.toString());
            }
        }
        // Direct routes first: a gateway must be reachable when its route is added.
        config.addAll(direct);
        config.addAll(viaGateway);
        Files.writeString(addresses(rec.id()), String.join("\n", back) + "\n");
        for (String name : moved) {
            run(cni, "ip", "link", "set", "dev", name, "netns", own);
        }
        runBatch(own, config);
        LOG.info(
                "pod sandbox "
                        + rec.id()
                        + ": moved "
                        + moved
                        + " from "
                        + cni
                        + " into its own network "
                        + "namespace in "
                        + (System.nanoTime() - t0) / 1_000_000
                        + " ms");
        return rec;
    }

    @Override
    public void release(ContainerRecord rec) throws Exception {
        removeLeftovers(rec.id());
    }

    @Override
    public Set<String> leftoverIds() throws IOException {
        Set<String> ids = new HashSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".netns") || n.endsWith(".cni"))
                        .forEach(n -> ids.add(n.substring(0, n.lastIndexOf('.'))));
            }
        }
        return ids;
    }

    /**
     * Interfaces back to the CNI namespace with their addresses (if both still exist), then the pin
     * goes.
     */
    @Override
    public void removeLeftovers(String id) throws Exception {
        Path pin = pin(id);
        if (!Files.exists(pin) && !Files.exists(origin(id))) {
            return;
        }
        String cni = Files.exists(origin(id)) ? Files.readString(origin(id)).trim() : "";
        boolean pinned = isMountPoint(pin);
        if (pinned && !cni.isEmpty() && Files.exists(Path.of(cni))) {
            try {
                JsonNode links = JSON.readTree(run(pin.toString(), "ip", "-j", "link", "show"));
                for (JsonNode l : links) {
                    String name = l.path("ifname").asText();
                    if (!name.equals("lo") && !name.isEmpty()) {
                        run(pin.toString(), "ip", "link", "set", "dev", name, "netns", cni);
                    }
                }
                if (Files.exists(addresses(id))) {
                    runBatch(
                            cni,
                            Files.readAllLines(addresses(id)).stream()
                                    .filter(l -> !l.isBlank())
                                    .toList());
                }
            } catch (NestletException e) {
                // The CNI DEL still removes the veth pair with the namespace; say why it could not
                // go back.
                LOG.warning(
                        "pod sandbox "
                                + id
                                + ": interfaces not moved back to "
                                + cni
                                + ": "
                                + e.getMessage());
            }
        }
        if (pinned) {
            run(null, "umount", pin.toString());
        }
        Files.deleteIfExists(pin);
        Files.deleteIfExists(addresses(id));
        Files.deleteIfExists(origin(id));
    }

    private static boolean isMountPoint(Path p) throws IOException {
        String target = " " + p.toAbsolutePath() + " ";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            if (line.contains(target)) {
                return true;
            }
        }
        return false;
    }

    private static void runBatch(String netns, List<String> lines) throws Exception {
        if (!lines.isEmpty()) {
            run(netns, String.join("\n", lines) + "\n", List.of("ip", "-batch", "-"));
        }
    }

    private static String run(String netns, String... cmd) throws Exception {
        return run(netns, null, List.of(cmd));
    }

    /**
     * Runs {@code cmd} (in network namespace {@code netns}, a path, unless null); its output, or
     * why it failed.
     */
    private static String run(String netns, String stdin, List<String> cmd) throws Exception {
        List<String> full = new ArrayList<>();
        if (netns != null) {
            full.addAll(List.of("nsenter", "--net=" + netns, "--"));
        }
        full.addAll(cmd);
        File out = File.createTempFile("nestlet-ip", ".out");
        try {
            ProcessBuilder pb =
                    new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(out);
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            }
            Process p = ForkFence.start(pb);
            if (stdin != null) {
                try (var in = p.getOutputStream()) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new NestletException(
                        ErrorCode.TIMEOUT,
                        String.join(" ", full) + " took over " + TIMEOUT_S + " s");
            }
            String text = Files.readString(out.toPath());
            if (p.exitValue() != 0) {
                throw new NestletException(
                        ErrorCode.KERNEL,
                        String.join(" ", full)
                                + (stdin == null ? "" : " <<" + stdin)
                                + " failed (exit "
                                + p.exitValue()
                                + "): "
                                + text.trim());
            }
            return text;
        } finally {
            out.delete();
        }
    }
}
