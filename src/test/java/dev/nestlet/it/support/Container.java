package dev.nestlet.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One container of a test, run directly by runc/crun or through nestlet-runtime: run to completion,
 * or started detached and deleted in close().
 */
public final class Container implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> prefix;
    private final Map<String, String> env;
    private final Path bundle;
    private final String id;
    private boolean started;

    private Container(List<String> prefix, Map<String, String> env, Path bundle, String id) {
        this.prefix = prefix;
        this.env = env;
        this.bundle = bundle;
        this.id = id;
    }

    /** Straight through the runtime (the hook path). */
    public Container(OciRuntime runtime, Path root, Path bundle, String id) {
        this(runtime.command(root), Map.of(), bundle, id);
    }

    /**
     * Through nestlet-runtime, which prepares the bundle with {@code daemon} and execs {@code
     * runtime}.
     */
    public static Container viaShim(
            OciRuntime runtime, Daemon daemon, Path root, Path bundle, String id)
            throws java.io.IOException {
        List<String> prefix =
                List.of(
                        Dist.bin("nestlet-runtime").toString(),
                        "--nestlet-runtime=" + runtime.shimTarget(root.getParent()),
                        "--root",
                        root.toString());
        return new Container(
                prefix, Map.of("NESTLET_SOCKET", daemon.socket().toString()), bundle, id);
    }

    /** The bundle dir the runtime was given. */
    public Path bundle() {
        return bundle;
    }

    public String id() {
        return id;
    }

    private Cmd cmd(String... args) {
        List<String> c = new ArrayList<>(prefix);
        c.addAll(List.of(args));
        return Cmd.of(c).env(env);
    }

    /** `run` in the foreground: create, start, wait, delete (poststop runs before it returns). */
    public Cmd.Result run() {
        return cmd("run", id).dir(bundle).timeout(120).run();
    }

    /** `run -d`: returns once the container's process runs. */
    public Container startDetached() {
        startDetachedResult().ok();
        return this;
    }

    /** `run -d`, its failure the caller's to judge. */
    public Cmd.Result startDetachedResult() {
        started = true;
        return cmd("run", "-d", id).dir(bundle).timeout(60).run();
    }

    /** `create` only: the container exists, its process waits for `start`. */
    public Cmd.Result create() {
        started = true;
        return cmd("create", "--bundle", bundle.toString(), id).timeout(60).run();
    }

    public Cmd.Result start() {
        return cmd("start", id).timeout(60).run();
    }

    public JsonNode state() throws Exception {
        return JSON.readTree(cmd("state", id).run().ok().out());
    }

    public int pid() throws Exception {
        return state().path("pid").asInt();
    }

    public Cmd.Result exec(String... args) {
        String[] c = new String[args.length + 2];
        c[0] = "exec";
        c[1] = id;
        System.arraycopy(args, 0, c, 2, args.length);
        return cmd(c).timeout(60).run();
    }

    /** {@code sh -c script} inside, run in the background (a storm beside the test's own work). */
    public java.util.concurrent.CompletableFuture<Cmd.Result> shInBackground(String script) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> exec("sh", "-c", script));
    }

    /** Kills the container's processes and waits until its init is gone. */
    public void kill() throws Exception {
        kill("KILL", 20);
    }

    /**
     * Sends {@code signal} (a name or number, as the runtime takes it) to its init and waits until
     * it is gone.
     */
    public void kill(String signal, long seconds) throws Exception {
        cmd("kill", id, signal).run().ok();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Cmd.Result r = cmd("state", id).run();
            if (r.exit() != 0 || JSON.readTree(r.out()).path("status").asText().equals("stopped")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("container " + id + " did not stop");
    }

    /** `delete --force`: runs poststop. */
    public Cmd.Result delete() {
        return cmd("delete", "--force", id).run();
    }

    @Override
    public void close() {
        if (started) {
            delete();
            started = false;
        }
    }
}
