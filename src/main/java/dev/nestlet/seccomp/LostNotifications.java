package dev.nestlet.seccomp;

import dev.nestlet.proc.ProcStatus;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

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
     * Restarts the calls of every thread in the cgroups of {@code initPids} (the containers whose
     * listener fds were taken over) that waits in a seccomp user notification. Only those threads
     * are looked at, not the host's (a whole /proc scan took most of a standby's 0.6-1.5 s switch),
     * and their processes are stopped all at once, then continued. Returns the pids of the
     * processes restarted.
     */
    static List<Integer> restart(Set<Integer> initPids, ContainerThreads threads) {
        Set<Integer> waiting = new LinkedHashSet<>();
        for (int init : initPids) {
            try {
                for (int tid : threads.of(init)) {
                    if (read(Path.of("/proc/" + tid + "/wchan")).startsWith(WCHAN)) {
                        int pid = new ProcStatus(read(Path.of("/proc/" + tid + "/status"))).tgid(0);
                        if (pid > 0) {
                            waiting.add(pid);
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                LOG.warning("seccomp: cannot list the threads of init " + init + ": " + e);
            }
        }
        List<Integer> restarted = restartAll(waiting);
        if (!restarted.isEmpty()) {
            LOG.info(
                    "seccomp: restarted the trapped calls of "
                            + restarted
                            + ", left unanswered by the previous "
                            + "nestletd");
        }
        return restarted;
    }

    /** SIGSTOP to all, a wait until all are stopped (1 s at most), SIGCONT to all. */
    private static List<Integer> restartAll(Set<Integer> pids) {
        Map<Integer, Fd> stopped = new LinkedHashMap<>();
        try {
            for (int pid : pids) {
                if (state(pid) == 'T') {
                    continue; // stopped by someone else: its waiting thread was interrupted already
                }
                Fd pidfd = null;
                try {
                    pidfd = PidCalls.pidfdOpen(pid);
                    PidCalls.signal(pidfd, PidCalls.SIGSTOP);
                    stopped.put(pid, pidfd);
                } catch (SysException e) {
                    if (pidfd != null) {
                        pidfd.close(); // gone
                    }
                }
            }
            long deadline = System.nanoTime() + 1_000_000_000L;
            while (System.nanoTime() < deadline
                    && !stopped.keySet().stream().allMatch(pid -> state(pid) == 'T')) {
                Thread.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped.values()
                    .forEach(
                            pidfd -> {
                                try {
                                    PidCalls.signal(pidfd, PidCalls.SIGCONT);
                                } catch (SysException e) {
                                    // gone meanwhile
                                } finally {
                                    pidfd.close();
                                }
                            });
        }
        return new ArrayList<>(stopped.keySet());
    }

    /** The state letter of /proc/PID/stat, or '?' when it cannot be read. */
    private static char state(int pid) {
        String stat = read(Path.of("/proc/" + pid + "/stat"));
        int close = stat.lastIndexOf(')');
        return close < 0 || close + 2 >= stat.length() ? '?' : stat.charAt(close + 2);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
