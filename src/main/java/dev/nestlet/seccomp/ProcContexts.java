package dev.nestlet.seccomp;

import dev.nestlet.kernel.KernelFeature;
import dev.nestlet.kernel.KernelFeatures;
import dev.nestlet.metrics.NestletMetrics;
import dev.nestlet.sys.Errno;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.ForkFence;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SysException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * New proc contexts (not yet created) for a caller's pid namespace. Where the kernel takes proc's
 * "pidns" parameter (Linux 6.18) nestletd names the namespace itself. Elsewhere proc can only take
 * the pid namespace of the task that calls fsopen, and a thread of nestletd's cannot enter another
 * pid namespace: a helper (nestlet-procfs) joins the caller's and forks a child that calls fsopen;
 * nestletd copies that context with pidfd_getfd, checks the child's pid namespace is the caller's,
 * and lets the helper go. Everything after (options, creation with nestletd's credentials, the
 * masks, the attach) is the same either way.
 */
public final class ProcContexts {
    private final KernelFeatures kernel;
    private final Path helper;

    /**
     * @param helper nestlet-procfs, used where {@code kernel} lacks {@link
     *     KernelFeature#PROC_PIDNS}
     */
    public ProcContexts(KernelFeatures kernel, Path helper) {
        this.kernel = kernel;
        this.helper = helper;
    }

    /** A proc context for {@code pidNs}, the pid namespace of the thread {@code tid}. */
    Fd open(int tid, Fd pidNs) throws IOException, InterruptedException {
        if (!kernel.has(KernelFeature.PROC_PIDNS)) {
            Fd ctx = throughHelper(tid, pidNs);
            NestletMetrics.PROC_CONTEXTS.labelValues("helper").inc();
            return ctx;
        }
        Fd ctx = MountCalls.fsopen("proc");
        try {
            MountCalls.fsconfigFd(ctx, "pidns", pidNs);
            NestletMetrics.PROC_CONTEXTS.labelValues("pidns").inc();
            return ctx;
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    private Fd throughHelper(int tid, Fd pidNs) throws IOException, InterruptedException {
        Process p =
                ForkFence.start(
                        new ProcessBuilder(helper.toString(), Integer.toString(tid))
                                .redirectErrorStream(true));
        try {
            String line =
                    new BufferedReader(
                                    new InputStreamReader(
                                            p.getInputStream(), StandardCharsets.UTF_8))
                            .readLine();
            String[] words = line == null ? new String[0] : line.split(" ");
            if (words.length != 3 || !words[0].equals("ready")) {
                throw new IOException(helper + " opened no proc context: " + line);
            }
            int child = Integer.parseInt(words[1]);
            try (Fd pidfd = PidCalls.pidfdOpen(child)) {
                // The thread id could have been reused between the notification and the helper's
                // open: the context is only good for the namespace the caller is in.
                String want = FileCalls.readlink("/proc/self/fd/" + pidNs.get());
                String got = FileCalls.readlink("/proc/" + child + "/ns/pid");
                if (!want.equals(got)) {
                    throw new SysException(
                            "fsopen", Errno.ESRCH, "helper joined " + got + ", not " + want);
                }
                return PidCalls.pidfdGetfd(pidfd, Integer.parseInt(words[2]));
            }
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
