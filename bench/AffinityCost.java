import dev.nestlet.sys.CpuAffinity;
import dev.nestlet.sys.CpuMask;
import java.util.Arrays;

/**
 * Issue 11: what moving a thread to a container's CPUs costs nestletd per request: batches of
 * CpuAffinity.ofCaller (sched_getaffinity of a caller) and of CpuAffinity.runOn (two
 * sched_setaffinity) around no work, to another CPU and to nestletd's own (no call). Prints the
 * median and p99 over batches, in ns per call. Run by bench/affinity-cost.sh.
 */
public final class AffinityCost {
    public static void main(String[] args) {
        int batches = Integer.parseInt(args[0]);
        int per = 1000;
        CpuMask home = CpuAffinity.home();
        int last = 1023;
        while (!home.has(last)) {
            last--;
        }
        CpuMask other = CpuMask.of(last);
        int self = (int) ProcessHandle.current().pid();
        System.out.printf("| call | median ns | p99 ns |%n|---|---|---|%n");
        row("ofCaller (sched_getaffinity)", batches, per, () -> CpuAffinity.ofCaller(self));
        row("runOn another CPU (2 x sched_setaffinity)", batches, per,
                () -> CpuAffinity.runOn(other, () -> null));
        row("runOn nestletd's own CPUs (no call)", batches, per,
                () -> CpuAffinity.runOn(home, () -> null));
    }

    private static void row(String label, int batches, int per, Runnable call) {
        for (int i = 0; i < per * 10; i++) {
            call.run(); // warm-up
        }
        long[] ns = new long[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < per; i++) {
                call.run();
            }
            ns[b] = (System.nanoTime() - t0) / per;
        }
        Arrays.sort(ns);
        System.out.printf("| %s | %d | %d |%n", label, ns[batches / 2],
                ns[Math.min(batches - 1, (int) Math.ceil(batches * 0.99) - 1)]);
    }
}
