package dev.nestlet.fdstore;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.SocketCalls;
import dev.nestlet.sys.SysException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * systemd's file-descriptor store: {@code sd_notify("FDSTORE=1\nFDNAME=NAME")} with the fd in
 * SCM_RIGHTS keeps a copy in the service manager (the unit needs {@code FileDescriptorStoreMax=});
 * {@code FDSTOREREMOVE=1} drops it. At the next start systemd passes them as {@code
 * LISTEN_FDS}/{@code LISTEN_FDNAMES} from fd 3 on, for {@code LISTEN_PID}. systemd itself drops a
 * stored fd that polls HUP or ERR (a seccomp listener whose tasks are all gone), unless it was
 * stored with {@code FDPOLL=0} (systemd 246 and later; older ones ignore the line and drop it).
 */
public final class SystemdFdStore implements FdStore {
    private static final Logger LOG = Logger.getLogger(SystemdFdStore.class.getName());

    /** SD_LISTEN_FDS_START. */
    static final int FIRST_FD = 3;

    private final String notifySocket;
    private final Map<String, String> env;
    private final int ownPid;
    private final java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * @param env the process environment (NOTIFY_SOCKET, LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES)
     */
    public SystemdFdStore(Map<String, String> env, int ownPid) {
        this.notifySocket = env.get("NOTIFY_SOCKET");
        if (notifySocket == null || notifySocket.isEmpty()) {
            throw new IllegalArgumentException("NOTIFY_SOCKET is not set: not started by systemd");
        }
        this.env = Map.copyOf(env);
        this.ownPid = ownPid;
    }

    /** Under systemd: NOTIFY_SOCKET is set. */
    public static boolean available(Map<String, String> env) {
        String s = env.get("NOTIFY_SOCKET");
        return s != null && !s.isEmpty();
    }

    /**
     * The fds passed by systemd, by name: {@code LISTEN_FDS} fds from 3 on, named by {@code
     * LISTEN_FDNAMES} (colon-separated), if {@code LISTEN_PID} is this process.
     */
    public static Map<String, Integer> passed(Map<String, String> env, int ownPid) {
        Map<String, Integer> fds = new LinkedHashMap<>();
        String pid = env.get("LISTEN_PID");
        String count = env.get("LISTEN_FDS");
        if (pid == null || count == null || !pid.trim().equals(Integer.toString(ownPid))) {
            return fds;
        }
        int n;
        try {
            n = Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            return fds;
        }
        String[] names = env.getOrDefault("LISTEN_FDNAMES", "").split(":", -1);
        for (int i = 0; i < n; i++) {
            String name = i < names.length && !names[i].isEmpty() ? names[i] : "unknown";
            if (fds.containsKey(name)) {
                name =
                        name + "#"
                                + i; // systemd keeps duplicates; the first of a name wins, the rest
                // are closed
            }
            fds.put(name, FIRST_FD + i);
        }
        return fds;
    }

    /**
     * The datagram that stores an fd under {@code name}; {@code poll} false keeps it even once it
     * polls HUP or ERR.
     */
    static String storeMessage(String name, boolean poll) {
        return "FDSTORE=1\nFDNAME=" + name + "\n" + (poll ? "" : "FDPOLL=0\n");
    }

    /** The datagram that drops the fds stored under {@code name}. */
    static String removeMessage(String name) {
        return "FDSTOREREMOVE=1\nFDNAME=" + name + "\n";
    }

    @Override
    public Map<String, Fd> takeAll() {
        Map<String, Fd> fds = new LinkedHashMap<>();
        passed(env, ownPid)
                .forEach(
                        (name, fd) -> {
                            Fd owned = new Fd(fd, "stored " + name);
                            if (name.contains("#")) {
                                owned.close();
                            } else {
                                fds.put(name, owned);
                            }
                        });
        if (!fds.isEmpty()) {
            // They stay in the store: their users adopt them without storing them again.
            names.addAll(fds.keySet());
            LOG.info("took " + fds.size() + " fd(s) back from systemd's fd store");
        }
        return fds;
    }

    @Override
    public void put(String name, Fd fd) {
        store(name, fd, true);
    }

    @Override
    public void putThroughHangUp(String name, Fd fd) {
        store(name, fd, false);
    }

    private void store(String name, Fd fd, boolean poll) {
        if (!FdStore.validName(name)) {
            throw new IllegalArgumentException("not a storable fd name: " + name);
        }
        try {
            SocketCalls.sendDatagramWithFds(
                    notifySocket,
                    storeMessage(name, poll).getBytes(StandardCharsets.US_ASCII),
                    fd.get());
            names.add(name);
        } catch (SysException e) {
            LOG.warning("cannot store " + name + " in systemd's fd store: " + e.getMessage());
        }
    }

    @Override
    public void remove(String name) {
        try {
            SocketCalls.sendDatagramWithFds(
                    notifySocket, removeMessage(name).getBytes(StandardCharsets.US_ASCII));
            names.remove(name);
        } catch (SysException e) {
            LOG.fine("cannot remove " + name + " from systemd's fd store: " + e.getMessage());
        }
    }

    @Override
    public int held() {
        return names.size();
    }

    @Override
    public boolean keeps() {
        return true;
    }

    @Override
    public String describe() {
        return "systemd fd store via " + notifySocket;
    }
}
