package dev.nestlet.ns;

import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.NetnsThread;
import dev.nestlet.sys.NsCalls;
import dev.nestlet.sys.Stat;
import dev.nestlet.sys.SysException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Who owns a container's network namespace, and what its sysctls say. */
public final class NetworkNamespaces {
    private static final long READ_TIMEOUT_SECONDS = 10;

    private NetworkNamespaces() {}

    /**
     * Whether the network namespace of {@code pid} belongs to the user namespace of {@code pid}
     * (ioctl NS_GET_USERNS on it, compared by inode with /proc/PID/ns/user). Then root inside owns
     * the namespace's sysctls; otherwise (a pod sandbox's or an `ip netns` namespace joined from a
     * user namespace of its own) they belong to another user namespace's root and are not writable.
     */
    public static boolean ownedByItsUserNamespace(int pid) {
        try (Fd net = FileCalls.open("/proc/" + pid + "/ns/net", FileCalls.O_RDONLY, 0);
                Fd user = FileCalls.open("/proc/" + pid + "/ns/user", FileCalls.O_RDONLY, 0)) {
            return owns(user, net);
        }
    }

    private static boolean owns(Fd user, Fd net) {
        try (Fd owner = NsCalls.owningUserns(net)) {
            Stat a = FileCalls.fstat(owner);
            Stat b = FileCalls.fstat(user);
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }

    /**
     * Whether the network namespace at {@code netnsPath} belongs to the user namespace at {@code
     * usernsPath} (nsfs files, such as /proc/PID/ns/net or /var/run/netns/NAME); false when either
     * cannot be opened.
     */
    public static boolean ownedBy(String netnsPath, String usernsPath) {
        try (Fd net = FileCalls.open(netnsPath, FileCalls.O_RDONLY, 0);
                Fd user = FileCalls.open(usernsPath, FileCalls.O_RDONLY, 0)) {
            return owns(user, net);
        } catch (SysException e) {
            return false;
        }
    }

    /**
     * The text of each existing file of {@code paths} (under /proc/sys/net) as a process in the
     * network namespace of {@code pidfd} reads it. A thread of its own enters the namespace and
     * ends with it; everything else stays the host's (mount namespace included).
     */
    public static Map<String, String> readInside(Fd pidfd, List<String> paths) throws Exception {
        return NetnsThread.call(
                pidfd,
                "netns-read",
                READ_TIMEOUT_SECONDS,
                () -> {
                    Map<String, String> texts = new LinkedHashMap<>();
                    for (String p : paths) {
                        try {
                            texts.put(p, FileCalls.readText(p));
                        } catch (SysException e) {
                            if (!e.is(Errno.ENOENT)) {
                                throw e;
                            }
                        }
                    }
                    return texts;
                });
    }
}
