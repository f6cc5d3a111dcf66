package dev.nestlet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.it.support.Cmd;
import dev.nestlet.it.support.Container;
import dev.nestlet.it.support.DaemonTest;
import dev.nestlet.it.support.OciRuntime;
import dev.nestlet.it.support.ProcFiles;
import dev.nestlet.it.support.Quiet;
import dev.nestlet.it.support.Rootfs;
import dev.nestlet.it.support.TestDir;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** 8 containers read every virtual file in a loop for 30 s at once: no error, no hang. */
@Quiet
class ManyReadersIT extends DaemonTest {
    private static final int CONTAINERS = 8;
    private static final int SECONDS = 30;

    @Override
    protected String name() {
        return "readers";
    }

    @Test
    void eightContainersReadEveryFileFor30Seconds() throws Exception {
        // Each pass reads every file; a failed read counts an error, and so does an empty one,
        // except
        // diskstats, which is empty until the container does block I/O.
        String loop =
                "end=$(( $(date +%s) + "
                        + SECONDS
                        + " )); n=0; bad=0; while [ $(date +%s) -lt $end ]; do "
                        + "for f in "
                        + String.join(" ", ProcFiles.VIRTUAL)
                        + "; do "
                        + "if ! cat $f > /tmp/read; then bad=$((bad+1)); echo \"failed read of $f\" >&2; "
                        + "elif [ ! -s /tmp/read ] && [ $f != /proc/diskstats ]; then bad=$((bad+1)); "
                        + "echo \"empty read of $f\" >&2; fi; done; "
                        + "n=$((n+1)); done; echo \"passes=$n errors=$bad\"";
        List<Container> containers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CONTAINERS);
        try {
            for (int i = 0; i < CONTAINERS; i++) {
                String id = TestDir.unique("reader" + i);
                Path bundle = dir.resolve(id);
                VirtualFilesIT.limitedSpec(
                                Rootfs.busybox(bundle.resolve("rootfs")),
                                daemon.socket(),
                                "sleep",
                                "300")
                        .writeTo(bundle);
                Container c = new Container(OciRuntime.RUNC, dir.resolve("rt-root"), bundle, id);
                containers.add(c);
                c.startDetached();
            }
            List<Future<Cmd.Result>> runs = new ArrayList<>();
            for (Container c : containers) {
                runs.add(pool.submit(() -> c.exec("sh", "-c", loop)));
            }
            for (int i = 0; i < CONTAINERS; i++) {
                Cmd.Result r = runs.get(i).get(SECONDS + 60, TimeUnit.SECONDS);
                assertEquals(0, r.exit(), "reader " + i + ": " + r);
                assertTrue(
                        r.out().trim().matches("passes=[1-9][0-9]* errors=0"),
                        "reader " + i + ": " + r);
            }
            assertTrue(daemon.alive(), "nestletd still serves");
            assertFalse(
                    daemon.log().contains("WARNING"),
                    "no warning in nestletd's log:\n" + daemon.log());
        } finally {
            pool.shutdownNow();
            for (Container c : containers) {
                c.close();
            }
        }
    }
}
