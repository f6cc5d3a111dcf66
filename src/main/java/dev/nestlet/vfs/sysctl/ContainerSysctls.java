package dev.nestlet.vfs.sysctl;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sysctl values of one system container, by value key: those of the host (and, when its network
 * namespace is not its own, of that namespace) as they were when it started, then whatever it
 * wrote. Its files are owned by the container's root, mode 0644, like the kernel's sysctls of a
 * namespace the container owns.
 */
public final class ContainerSysctls {
    /**
     * Told of every accepted write, in order, before it takes effect: persists the values, raises
     * the host where allowed. If it throws, the write fails (EIO) and the value stays.
     */
    public interface Listener {
        void changed(SysctlSpec spec, long[] values, Map<String, long[]> all);
    }

    private final int uid;
    private final int gid;
    private final Map<String, long[]> values;
    private final Listener listener;

    /**
     * @param uid host uid (and {@code gid} host gid) of the container's root, the files' owner
     */
    public ContainerSysctls(int uid, int gid, Map<String, long[]> values, Listener listener) {
        this.uid = uid;
        this.gid = gid;
        this.values = new LinkedHashMap<>(values);
        this.listener = listener;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    public synchronized boolean has(SysctlSpec spec) {
        return values.containsKey(spec.valueKey());
    }

    public synchronized byte[] render(SysctlSpec spec) {
        return spec.syntax().render(values.get(spec.valueKey()));
    }

    /** One write(2) of {@code data} at {@code offset}; returns the bytes consumed. */
    public synchronized int write(SysctlSpec spec, long offset, byte[] data) {
        long[] current = values.get(spec.valueKey());
        SysctlSyntax.Parsed p = spec.syntax().parse(data, offset, current);
        if (p.values()
                != current) { // an ignored write (at an offset, or empty) hands back the same array
            Map<String, long[]> next = values();
            next.put(spec.valueKey(), p.values());
            listener.changed(spec, p.values(), next);
            values.put(spec.valueKey(), p.values());
        }
        return p.consumed();
    }

    /** A copy of every value, by value key. */
    public synchronized Map<String, long[]> values() {
        Map<String, long[]> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }
}
