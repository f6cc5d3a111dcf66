package dev.nestlet.shift;

import dev.nestlet.idmap.IdRange;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.ForkFence;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * User namespaces that carry a container's mapping before the container exists, for
 * MOUNT_ATTR_IDMAP. A multithreaded JVM cannot unshare a user namespace itself, so a tiny helper
 * (nestlet-userns) does and waits; nestletd writes its uid_map and gid_map, keeps an fd of the
 * namespace and lets the helper exit. The fd keeps the namespace alive as long as it is open.
 *
 * <p>Spawning the helper costs milliseconds on every container start, and the pool hands the same
 * ranges out again and again, so one namespace per range is kept (up to {@link #CACHED} of them,
 * least recently used dropped first).
 */
public final class UserNamespaces {
    static final int CACHED = 256;

    /**
     * What the kernel probes map through (nestletd's start, doctor): which ids does not matter,
     * nothing is written through a probe's mount.
     */
    private static final IdRange PROBE_RANGE = new IdRange(1 << 20, 1 << 20, 65536);

    private final Path helper;
    private final Map<IdRange, Fd> cache =
            new LinkedHashMap<>(16, 0.75f, true) {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<IdRange, Fd> eldest) {
                    if (size() > CACHED) {
                        eldest.getValue().close();
                        return true;
                    }
                    return false;
                }
            };

    public UserNamespaces(Path helper) {
        this.helper = helper;
    }

    /**
     * The fd of a user namespace mapping 0..size-1 onto the range; owned by this cache (callers
     * must not close it).
     */
    public Fd withMapping(IdRange range) throws IOException, InterruptedException {
        synchronized (cache) {
            Fd fd = cache.get(range);
            if (fd != null) {
                return fd;
            }
        }
        // Made without the lock: a caller that needs another range does not wait for this one.
        Fd made = spawn(range);
        synchronized (cache) {
            Fd fd = cache.get(range);
            if (fd != null) { // another caller made one for the same range meanwhile: keep theirs
                made.close();
                return fd;
            }
            cache.put(range, made);
            return made;
        }
    }

    /** A user namespace for kernel probes, cached like the others (callers must not close it). */
    public Fd forProbes() throws IOException, InterruptedException {
        return withMapping(PROBE_RANGE);
    }

    private Fd spawn(IdRange range) throws IOException, InterruptedException {
        Process p =
                ForkFence.start(new ProcessBuilder(helper.toString()).redirectErrorStream(true));
        try {
            BufferedReader out =
                    new BufferedReader(
                            new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            if (!"ready".equals(line)) {
                throw new IOException(helper + " did not make a user namespace: " + line);
            }
            Path proc = Path.of("/proc/" + p.pid());
            Files.writeString(
                    proc.resolve("uid_map"), "0 " + range.uidBase() + " " + range.size() + "\n");
            Files.writeString(
                    proc.resolve("gid_map"), "0 " + range.gidBase() + " " + range.size() + "\n");
            return FileCalls.open(proc.resolve("ns/user").toString(), FileCalls.O_RDONLY, 0);
        } finally {
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
