package dev.nestlet.it.support;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** One container of a test: run to completion, or started detached and deleted in close(). */
public final class Container implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OciRuntime runtime;
    private final Path root;
    private final Path bundle;
    private final String id;
    private boolean started;

    public Container(OciRuntime runtime, Path root, Path bundle, String id) {
        this.runtime = runtime;
        this.root = root;
        this.bundle = bundle;
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** `run` in the foreground: create, start, wait, delete (poststop runs before it returns). */
    public Cmd.Result run() {
        return Cmd.of(runtime.command(root, "run", id)).dir(bundle).timeout(120).run();
    }

    /** `run -d`: returns once the container's process runs. */
    public Container startDetached() {
        started = true;
        Cmd.of(runtime.command(root, "run", "-d", id)).dir(bundle).timeout(60).run().ok();
        return this;
    }

    public JsonNode state() throws Exception {
        return JSON.readTree(Cmd.of(runtime.command(root, "state", id)).run().ok().out());
    }

    public int pid() throws Exception {
        return state().path("pid").asInt();
    }

    public Cmd.Result exec(String... args) {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "exec";
        cmd[1] = id;
        System.arraycopy(args, 0, cmd, 2, args.length);
        return Cmd.of(runtime.command(root, cmd)).timeout(60).run();
    }

    /** Kills the container's processes and waits until its init is gone. */
    public void kill() throws Exception {
        Cmd.of(runtime.command(root, "kill", id, "KILL")).run();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Cmd.Result r = Cmd.of(runtime.command(root, "state", id)).run();
            if (r.exit() != 0 || JSON.readTree(r.out()).path("status").asText().equals("stopped")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("container " + id + " did not stop");
    }

    /** `delete --force`: runs poststop. */
    public Cmd.Result delete() {
        return Cmd.of(runtime.command(root, "delete", "--force", id)).run();
    }

    @Override
    public void close() {
        if (started) {
            delete();
            started = false;
        }
    }
}
