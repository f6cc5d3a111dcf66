package dev.nestlet.seccomp;

import dev.nestlet.sys.Fd;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Notifications a killed nestletd had taken (SECCOMP_IOCTL_NOTIF_RECV) and not answered: the kernel
 * never sends them again, and their callers would wait for ever on a listener fd that is kept open.
 * Such a caller sleeps interruptibly in {@code seccomp_do_user_notification} (its wchan says so):
 * stopping its process (SIGSTOP) takes the notification back (the call returns -ERESTARTSYS), and
 * SIGCONT once it is stopped restarts the call, which notifies the new nestletd afresh. The only
 * trace left is a stop and a continue its parent may see with WUNTRACED/WCONTINUED. Callers whose
 * notification was never taken are treated the same way, harmlessly. Runs before the new nestletd
 * takes any notification, so it never interrupts a call being answered.
 */
final class LostNotifications {
    private static final Logger LOG = Logger.getLogger(LostNotifications.class.getName());
    private static final String WCHAN = "seccomp_do_user_notification";

    private LostNotifications() {}

    /**
     * Restarts the calls of every task below the cgroups of {@code initPids} (the containers whose
     * listener fds were taken over) that waits in a seccomp user notification. Returns the pids of
     * the processes restarted.
     */
    static List<Integer> restart(Set<Integer> initPids) {
        List<String> scopes = new ArrayList<>();
        for (int pid : initPids) {
            String c = cgroupOf(Integer.toString(pid));
            if (c != null) {
                scopes.add(c);
            }
        }
        List<Integer> restarted = new ArrayList<>();
        if (scopes.isEmpty()) {
            return restarted;
        }
        Set<Integer> waiting = new LinkedHashSet<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                    for (Path task : (Iterable<Path>) tasks::iterator) {
                        if (read(task.resolve("wchan")).startsWith(WCHAN)) {
                            String cg = cgroupOf(name);
                            if (cg != null && scopes.stream().anyMatch(s -> within(cg, s))) {
                                waiting.add(Integer.parseInt(name));
                            }
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the process went away
                }
            }
        } catch (IOException e) {
            LOG.warning("seccomp: cannot list /proc: " + e);
            return restarted;
        }
        for (int pid : waiting) {
            if (restartOne(pid)) {
                restarted.add(pid);
            }
        }
        if (!restarted.isEmpty()) {
            LOG.info(
                    "seccomp: restarted the trapped calls of "
                            + restarted
                            + ", left unanswered by the previous "
                            + "nestletd");
        }
        return restarted;
    }

    private static boolean restartOne(int pid) {
        if (state(pid) == 'T') {
            return false; // stopped by someone else: its waiting thread was interrupted already
        }
        try (Fd pidfd = PidCalls.pidfdOpen(pid)) {
            PidCalls.signal(pidfd, PidCalls.SIGSTOP);
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (state(pid) != 'T' && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            PidCalls.signal(pidfd, PidCalls.SIGCONT);
            return true;
        } catch (SysException e) {
            return false; // gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The state letter of /proc/PID/stat, or '?' when it cannot be read. */
    private static char state(int pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat"));
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
    }

    /** The cgroup2 path ("0::") of a process, else its first hierarchy's line. */
    static String cgroupOf(String pid) {
        String text = read(Path.of("/proc/" + pid + "/cgroup"));
        String first = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("0::")) {
                return line;
            }
            if (first == null && !line.isEmpty()) {
                first = line;
            }
        }
        return first;
    }

    /**
     * Whether cgroup line {@code line} is the same hierarchy as {@code scope} and at or below its
     * path.
     */
    static boolean within(String line, String scope) {
        return line.equals(scope) || line.startsWith(scope.endsWith("/") ? scope : scope + "/");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
