package dev.nestlet.state;

import dev.nestlet.sys.Fd;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The containers nestletd looks after, in memory and on disk. Every change is persisted before it
 * is visible, so what is listed is what a restart finds.
 */
public final class Registry {
    private final StateStore store;
    private final ConcurrentMap<String, LiveContainer> live = new ConcurrentHashMap<>();
    private final Object[] locks = new Object[64];

    public Registry(StateStore store) {
        this.store = store;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
    }

    /** The lock that serializes every lifecycle step of one container id. */
    public Object lockFor(String id) {
        return locks[Math.floorMod(id.hashCode(), locks.length)];
    }

    public Optional<LiveContainer> get(String id) {
        return Optional.ofNullable(live.get(id));
    }

    /** Adds a container (or replaces one with the same id) and persists it. */
    public LiveContainer put(ContainerRecord rec, Fd pidfd) throws IOException {
        store.save(rec);
        return load(rec, pidfd);
    }

    /** Adds a container whose record was just read from disk: nothing to persist. */
    public LiveContainer load(ContainerRecord rec, Fd pidfd) {
        LiveContainer c = new LiveContainer(rec, pidfd);
        LiveContainer old = live.put(rec.id(), c);
        if (old != null) {
            old.close();
        }
        return c;
    }

    public void update(LiveContainer c, ContainerRecord rec) throws IOException {
        store.save(rec);
        c.record(rec);
    }

    public void remove(String id) throws IOException {
        store.delete(id);
        LiveContainer c = live.remove(id);
        if (c != null) {
            c.close();
        }
    }

    public List<LiveContainer> all() {
        List<LiveContainer> out = new ArrayList<>(live.values());
        // Prepared containers have no creation time yet: they sort by when they were prepared.
        out.sort(
                Comparator.comparing(
                                (LiveContainer c) ->
                                        c.record().created() != null
                                                ? c.record().created()
                                                : String.valueOf(c.record().prepared()))
                        .thenComparing(c -> c.record().id()));
        return out;
    }

    public int size() {
        return live.size();
    }

    public StateStore store() {
        return store;
    }
}
