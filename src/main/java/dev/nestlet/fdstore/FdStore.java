package dev.nestlet.fdstore;

import dev.nestlet.sys.Fd;
import java.util.Map;

/**
 * Somewhere outside nestletd that keeps the kernel objects containers depend on (the FUSE
 * connection's fds, every seccomp listener fd) open while no nestletd runs, and gives them to the
 * next one: systemd's file-descriptor store under systemd, {@code nestlet-keeper} elsewhere. While
 * they are kept, a reader of a virtual file or a trapped mount blocks until a nestletd serves it
 * again instead of failing.
 *
 * <p>Names are printable ASCII without ':' or spaces, at most 255 bytes (systemd's FDNAME rules).
 */
public interface FdStore extends AutoCloseable {
    /**
     * The fds a previous nestletd stored, by name; taken once, at start-up, and owned by the
     * caller. They stay stored: whoever adopts one must not put it again, and removes it when done
     * with it.
     */
    Map<String, Fd> takeAll();

    /**
     * Keeps a copy of {@code fd} under {@code name} (replacing one of that name); the caller keeps
     * its own.
     */
    void put(String name, Fd fd);

    /** Forgets {@code name}: the store closes its copy. */
    void remove(String name);

    /**
     * Whether stored fds outlive this process: if not, nestletd cleans up at exit as it always did.
     */
    boolean keeps();

    /**
     * Like {@link #put}, for a socket whose peer may close while its unread data still matters (a
     * runtime's connection to the seccomp agent: runc and crun close their end right after
     * sending): kept even once it polls HUP. The keeper never polls what it holds; systemd must be
     * told.
     */
    default void putThroughHangUp(String name, Fd fd) {
        put(name, fd);
    }

    /** How many fds the store holds for nestletd now (as far as this nestletd knows). */
    default int held() {
        return 0;
    }

    /**
     * Whether a second nestletd can take the stored fds while the first still runs (a planned
     * hand-over): the keeper answers LIST at any time; systemd passes its store only to a process
     * it starts.
     */
    default boolean sharedWhileRunning() {
        return false;
    }

    /** For the log and `nestletctl status`. */
    String describe();

    @Override
    default void close() {}

    /** No store: everything ends with nestletd (`--fd-store none`). */
    static FdStore none() {
        return new FdStore() {
            @Override
            public Map<String, Fd> takeAll() {
                return Map.of();
            }

            @Override
            public void put(String name, Fd fd) {}

            @Override
            public void remove(String name) {}

            @Override
            public boolean keeps() {
                return false;
            }

            @Override
            public String describe() {
                return "no fd store";
            }
        };
    }

    /**
     * Whether {@code name} can be stored (systemd's FDNAME rules, which the keeper applies too).
     */
    static boolean validName(String name) {
        if (name.isEmpty() || name.length() > 255) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c > '~' || c == ':') {
                return false;
            }
        }
        return true;
    }
}
