package dev.nestlet.it.support;

import dev.nestlet.it.cri.v1.DNSConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A network of the test's own that a {@link KubeNode}'s pods reach as they would reach a cluster's
 * DNS and a server outside the cluster: a named network namespace in the node (unique name), joined
 * to the node's by a veth pair with routed addresses of the benchmarking range 198.18.0.0/15 (never
 * the real network), in which a name server ({@code src/test/c/dnsd.c}: the host's busybox has no
 * dnsd applet) answers {@link #NAME} with the server's address and busybox httpd serves {@link
 * #FILE}. The pods' traffic leaves through the CNI bridge (the node routes, and masquerades with
 * CNI's ipMasq, as a real node does). close() stops both servers by PID and deletes the namespace,
 * which takes the veth pair with it.
 */
public final class ServerNetwork implements AutoCloseable {
    /** The server's name, resolvable only through this network's name server. */
    public static final String NAME = "files.nestlet.test";

    /** The search domain that makes {@link #SHORT_NAME} resolve to {@link #NAME}. */
    public static final String DOMAIN = "nestlet.test";

    public static final String SHORT_NAME = "files";

    /** The served file's path on the server. */
    public static final String FILE = "/file";

    /** What a pod fetches: the served file through the short name, so through the search list. */
    public static final String URL = "http://" + SHORT_NAME + FILE;

    private static final String NODE_ADDRESS = "198.18.0.1";
    private static final String SERVER_ADDRESS = "198.18.0.2";

    private final KubeNode node;
    private final String netns;
    private final String content;
    private final Path dir;
    private final List<ProcessHandle> servers = new ArrayList<>();

    private ServerNetwork(KubeNode node, String netns, Path dir) {
        this.node = node;
        this.netns = netns;
        this.dir = dir;
        this.content = "served to " + netns + "\n";
    }

    /**
     * Makes the network in {@code node} and starts both servers; their files and logs go to a dir
     * of {@code parent}. Returns once the file answers from the node.
     */
    public static ServerNetwork start(KubeNode node, Path parent) throws Exception {
        String netns = TestDir.unique("srv");
        Path dir = Files.createDirectories(parent.resolve(netns));
        ServerNetwork n = new ServerNetwork(node, netns, dir);
        try {
            n.wire();
            n.serve();
        } catch (Exception | AssertionError e) {
            n.close();
            throw e;
        }
        return n;
    }

    private void wire() {
        // A veth name has at most 15 bytes: "v" and the unique suffix.
        String veth = "v" + netns.substring(netns.indexOf('-') + 1);
        node.exec("ip", "netns", "add", netns).ok();
        node.exec("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns)
                .ok();
        node.exec("ip", "addr", "add", NODE_ADDRESS + "/30", "dev", veth).ok();
        node.exec("ip", "link", "set", veth, "up").ok();
        node.exec("ip", "-n", netns, "addr", "add", SERVER_ADDRESS + "/30", "dev", "eth0").ok();
        node.exec("ip", "-n", netns, "link", "set", "lo", "up").ok();
        node.exec("ip", "-n", netns, "link", "set", "eth0", "up").ok();
        node.exec("ip", "-n", netns, "route", "add", "default", "via", NODE_ADDRESS).ok();
    }

    private void serve() throws Exception {
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve(FILE.substring(1)), content);
        Path dnsd = TestPrograms.build("dnsd", dir.resolve("dnsd"));
        Path dnsLog = dir.resolve("dnsd.log");
        servers.add(
                inNetns(dnsLog, dnsd.toString(), SERVER_ADDRESS, NAME + "=" + SERVER_ADDRESS)
                        .start()
                        .toHandle());
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.readString(dnsLog).startsWith("ready\n")) {
            if (System.nanoTime() > deadline || Processes.gone(servers.get(0))) {
                throw new AssertionError("dnsd did not start: " + Files.readString(dnsLog));
            }
            Thread.sleep(20);
        }
        Process httpd =
                inNetns(
                                dir.resolve("httpd.log"),
                                "busybox",
                                "httpd",
                                "-f",
                                "-p",
                                SERVER_ADDRESS + ":80",
                                "-h",
                                www.toString())
                        .start();
        servers.add(httpd.toHandle());
        node.fetch("http://" + SERVER_ADDRESS + FILE);
    }

    /**
     * A host program in the namespace, through the node's mount namespace where its name is bound
     * (nsenter execs it, so the process is the server's).
     */
    private ProcessBuilder inNetns(Path log, String... command) {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                "nsenter",
                                "--net=/proc/" + node.pid() + "/root/run/netns/" + netns,
                                "--"));
        cmd.addAll(List.of(command));
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    /** The server's address, which {@link #NAME} resolves to. */
    public String address() {
        return SERVER_ADDRESS;
    }

    /** What {@link #FILE} holds: unique to this network. */
    public String content() {
        return content;
    }

    /**
     * The pod's DNS as the kubelet sends it for dnsPolicy ClusterFirst, with this network's name
     * server as the cluster's DNS and {@link #DOMAIN} as the node's own search domain (the kubelet
     * appends the node's): short names walk the cluster's domains first (NXDOMAIN here), as in a
     * cluster.
     */
    public DNSConfig dns() {
        return DNSConfig.newBuilder()
                .addServers(SERVER_ADDRESS)
                .addSearches("default.svc.cluster.local")
                .addSearches("svc.cluster.local")
                .addSearches("cluster.local")
                .addSearches(DOMAIN)
                .addOptions("ndots:5")
                .build();
    }

    /** The server's log of queries, one line each (for failure messages). */
    public String dnsLog() throws IOException {
        return Files.readString(dir.resolve("dnsd.log"));
    }

    @Override
    public void close() throws IOException {
        Processes.stop(servers, 2_000);
        node.exec("ip", "netns", "del", netns);
    }
}
