package dev.nestlet.fdstore;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.ForkFence;
import dev.nestlet.sys.ReceivedMessage;
import dev.nestlet.sys.SocketCalls;
import dev.nestlet.sys.SysException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The fd store without systemd: {@code nestlet-keeper}, a small static program that nestletd starts
 * once (in a session of its own) and that outlives it, holding fds passed to it over a
 * SOCK_SEQPACKET unix socket (SCM_RIGHTS). A new nestletd finds the keeper on the same socket
 * ({@code STATE/run/keeper.sock}), takes the fds back with LIST and keeps using it. The keeper's
 * pid is written to {@code STATE/run/keeper.pid}; stopping it (SIGTERM) closes every fd it holds.
 */
public final class KeeperFdStore implements FdStore {
    private static final Logger LOG = Logger.getLogger(KeeperFdStore.class.getName());
    public static final String SOCKET = "run/keeper.sock";
    public static final String PIDFILE = "run/keeper.pid";
    private static final int MAX_MESSAGE = 512;

    private final Path socket;
    private final Fd conn;
    private final int pid;
    private final java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private KeeperFdStore(Path socket, Fd conn, int pid) {
        this.socket = socket;
        this.conn = conn;
        this.pid = pid;
    }

    /**
     * Connects to the keeper of {@code stateDir}, starting {@code binary} first if none answers.
     */
    public static KeeperFdStore open(Path stateDir, Path binary) throws IOException {
        Path run = stateDir.resolve("run");
        Files.createDirectories(run);
        Path socket = stateDir.resolve(SOCKET);
        Fd conn = tryConnect(socket);
        boolean started = false;
        if (conn == null) {
            start(binary, socket);
            started = true;
            conn = tryConnect(socket);
            if (conn == null) {
                throw new IOException("nestlet-keeper started but does not answer on " + socket);
            }
        }
        int pid;
        try {
            pid = ping(conn, socket);
        } catch (RuntimeException | IOException e) {
            conn.close();
            throw e;
        }
        Files.writeString(stateDir.resolve(PIDFILE), pid + "\n");
        LOG.info(
                (started ? "started nestlet-keeper" : "found nestlet-keeper")
                        + " (pid "
                        + pid
                        + ") on "
                        + socket);
        return new KeeperFdStore(socket, conn, pid);
    }

    private static Fd tryConnect(Path socket) {
        if (!Files.exists(socket)) {
            return null;
        }
        try {
            return SocketCalls.connectSeqpacket(socket.toString());
        } catch (SysException e) {
            return null; // ECONNREFUSED: a dead keeper's socket; the new keeper replaces it
        }
    }

    private static void start(Path binary, Path socket) throws IOException {
        Process p =
                ForkFence.start(
                        new ProcessBuilder(binary.toString(), socket.toString())
                                .redirectErrorStream(true)
                                .redirectInput(
                                        ProcessBuilder.Redirect.from(
                                                new java.io.File("/dev/null"))));
        try (BufferedReader r =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            if (line == null || !line.startsWith("ready ")) {
                try {
                    p.waitFor(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException(binary + " did not start: " + line);
            }
        }
    }

    private static int ping(Fd conn, Path socket) throws IOException {
        String answer = exchange(conn, "PING");
        if (!answer.startsWith("PONG ")) {
            throw new IOException("not a nestlet-keeper on " + socket + ": " + answer);
        }
        return Integer.parseInt(answer.substring(5).trim());
    }

    private static String exchange(Fd conn, String request, int... fds) throws IOException {
        SocketCalls.sendWithFds(conn, request.getBytes(StandardCharsets.US_ASCII), fds);
        ReceivedMessage m = SocketCalls.receiveWithFds(conn, MAX_MESSAGE, 1);
        m.fds().forEach(Fd::close);
        if (m.isEof()) {
            throw new IOException("nestlet-keeper closed the connection");
        }
        return new String(m.data(), StandardCharsets.US_ASCII);
    }

    public int pid() {
        return pid;
    }

    @Override
    public synchronized Map<String, Fd> takeAll() {
        Map<String, Fd> fds = new LinkedHashMap<>();
        SocketCalls.sendWithFds(conn, "LIST".getBytes(StandardCharsets.US_ASCII));
        while (true) {
            ReceivedMessage m = SocketCalls.receiveWithFds(conn, MAX_MESSAGE, 1);
            String text = new String(m.data(), StandardCharsets.US_ASCII);
            if (m.isEof()) {
                fds.values().forEach(Fd::close);
                throw new IllegalStateException("nestlet-keeper closed the connection during LIST");
            }
            if (text.startsWith("END")) {
                m.fds().forEach(Fd::close);
                break;
            }
            List<Fd> got = m.fds();
            if (!text.startsWith("FD ") || got.size() != 1) {
                got.forEach(Fd::close);
                LOG.warning("nestlet-keeper sent an odd message: " + text);
                continue;
            }
            Fd old = fds.put(text.substring(3), got.get(0));
            if (old != null) {
                old.close();
            }
        }
        names.addAll(fds.keySet());
        LOG.info("took " + fds.size() + " fd(s) back from nestlet-keeper");
        return fds;
    }

    @Override
    public synchronized void put(String name, Fd fd) {
        if (!FdStore.validName(name)) {
            throw new IllegalArgumentException("not a storable fd name: " + name);
        }
        try {
            String answer = exchange(conn, "PUT " + name, fd.get());
            if (answer.equals("OK")) {
                names.add(name);
            } else {
                LOG.warning("nestlet-keeper refused " + name + ": " + answer);
            }
        } catch (IOException | SysException e) {
            LOG.warning(
                    "cannot give "
                            + name
                            + " to nestlet-keeper: "
                            + e.getMessage()
                            + "; it ends with this nestletd");
        }
    }

    @Override
    public synchronized void remove(String name) {
        try {
            exchange(conn, "DEL " + name);
            names.remove(name);
        } catch (IOException | SysException e) {
            LOG.fine("cannot remove " + name + " from nestlet-keeper: " + e.getMessage());
        }
    }

    @Override
    public int held() {
        return names.size();
    }

    @Override
    public boolean sharedWhileRunning() {
        return true;
    }

    @Override
    public boolean keeps() {
        return true;
    }

    @Override
    public String describe() {
        return "nestlet-keeper pid " + pid + " on " + socket;
    }

    @Override
    public synchronized void close() {
        conn.close();
    }
}
