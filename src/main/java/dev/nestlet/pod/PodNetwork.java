package dev.nestlet.pod;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.lifecycle.ContainerAccess;
import dev.nestlet.lifecycle.Feature;
import dev.nestlet.netlink.Address;
import dev.nestlet.netlink.Link;
import dev.nestlet.netlink.Route;
import dev.nestlet.netlink.RouteSocket;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Everything goes through rtnetlink sockets opened in either namespace ({@code
 * netlink.RouteSocket}) and mount(2); no child process, no `ip` on the node.
 */
public final class PodNetwork implements Feature {
    private static final Logger LOG = Logger.getLogger(PodNetwork.class.getName());

    private final Path dir;

    public PodNetwork(Path stateDir) {
        this.dir = stateDir.resolve("pods");
    }

    @Override
    public String name() {
        return "pod network";
    }

    @Override
    public CrashPoint crashPoint() {
        return CrashPoint.FEATURE_POD_NETWORK;
    }

    private Path pin(String id) {
        return dir.resolve(id + ".netns");
    }

    /** The interfaces' addresses, given back in the CNI namespace ({@link SavedAddresses}). */
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
        MountCalls.mount(own, pin.toString(), null, MountCalls.MS_BIND, null);

        Map<String, List<Address>> addresses = new LinkedHashMap<>();
        Map<Integer, String> moved = new HashMap<>();
        List<Route> direct = new ArrayList<>();
        List<Route> viaGateway = new ArrayList<>();
        try (RouteSocket from = RouteSocket.in(cni)) {
            for (Link l : from.links()) {
                if (!l.isLoopback() && !l.name().isEmpty()) {
                    moved.put(l.index(), l.name());
                    addresses.put(l.name(), new ArrayList<>());
                }
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
            for (Address a : from.addresses()) {
                // link-local addresses come back by themselves
                if (a.scope() == Address.SCOPE_GLOBAL && moved.containsKey(a.index())) {
                    addresses.get(moved.get(a.index())).add(a);
                }
            }
            for (int family : List.of(Route.AF_INET, Route.AF_INET6)) {
                for (Route r : from.routes(family)) {
                    // `ip route` shows the main table; the kernel makes the subnet routes again
                    // with the addresses
                    if (r.table() == Route.TABLE_MAIN
                            && !r.byKernel()
                            && moved.containsKey(r.outputIndex())) {
                        (r.gateway() == null ? direct : viaGateway).add(r);
                    }
                }
            }
            Files.writeString(addresses(rec.id()), SavedAddresses.format(addresses));
            for (int index : moved.keySet()) {
                from.moveLink(index, own);
            }
        }
        try (RouteSocket to = RouteSocket.in(own)) {
            Map<String, Integer> indexes = indexes(to);
            configure(to, indexes, addresses);
            // Direct routes first: a gateway must be reachable when its route is added.
            for (Route r : direct) {
                to.add(r, indexes.get(moved.get(r.outputIndex())));
            }
            for (Route r : viaGateway) {
                to.add(r, indexes.get(moved.get(r.outputIndex())));
            }
        }
        LOG.info(
                "pod sandbox "
                        + rec.id()
                        + ": moved "
                        + addresses.keySet()
                        + " from "
                        + cni
                        + " into its own network "
                        + "namespace in "
                        + (System.nanoTime() - t0) / 1_000_000
                        + " ms");
        return rec;
    }

    /**
     * Interface name -> index in the namespace of {@code socket}: an index may change when an
     * interface moves, its name does not.
     */
    private static Map<String, Integer> indexes(RouteSocket socket) {
        Map<String, Integer> out = new HashMap<>();
        for (Link l : socket.links()) {
            out.put(l.name(), l.index());
        }
        return out;
    }

    /** Gives each named interface its addresses and brings it up. */
    private static void configure(
            RouteSocket socket,
            Map<String, Integer> indexes,
            Map<String, List<Address>> addresses) {
        addresses.forEach(
                (name, list) -> {
                    Integer index = indexes.get(name);
                    if (index == null) {
                        throw new NestletException(
                                ErrorCode.KERNEL, "interface " + name + " did not arrive");
                    }
                    for (Address a : list) {
                        socket.add(a, index);
                    }
                    socket.up(index);
                });
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
                try (RouteSocket inPod = RouteSocket.in(pin.toString())) {
                    for (Link l : inPod.links()) {
                        if (!l.isLoopback() && !l.name().isEmpty()) {
                            inPod.moveLink(l.index(), cni);
                        }
                    }
                }
                if (Files.exists(addresses(id))) {
                    try (RouteSocket back = RouteSocket.in(cni)) {
                        configure(
                                back,
                                indexes(back),
                                SavedAddresses.parse(Files.readAllLines(addresses(id))));
                    }
                }
            } catch (NestletException | SysException e) {
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
            MountCalls.umount2(pin.toString(), 0);
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
}
