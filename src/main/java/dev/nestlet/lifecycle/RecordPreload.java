package dev.nestlet.lifecycle;

import dev.nestlet.error.NestletException;
import dev.nestlet.oci.BundleConfig;
import dev.nestlet.oci.Bundles;
import dev.nestlet.proc.ProcStat;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.Stage;
import dev.nestlet.state.StateStore;
import dev.nestlet.sys.Fd;
import dev.nestlet.sys.PidCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The slow, read-only part of recovery done ahead: each record parsed, its init's pidfd opened and
 * its bundle's config read. A nestletd taking over does it while the old one still serves (and may
 * still change the records); a cold start does it beside its other start-up work. {@link
 * Reconciler#recover} then reads the records again and uses an entry only for a file whose bytes
 * are still the same: what changed meanwhile (a container created, changed or removed) is read
 * anew.
 */
public final class RecordPreload {
    /** One record file as it was read ahead. */
    record Entry(byte[] bytes, ContainerRecord rec, Fd pidfd, BundleConfig config) {}

    private final Map<String, Entry> byFile;

    private RecordPreload(Map<String, Entry> byFile) {
        this.byFile = byFile;
    }

    /** Nothing read ahead: recovery reads everything. */
    public static RecordPreload none() {
        return new RecordPreload(new HashMap<>());
    }

    /** Reads ahead what {@code store} holds now; changes nothing on disk. */
    public static RecordPreload read(StateStore store) throws IOException {
        Map<String, Entry> byFile = new HashMap<>();
        for (Map.Entry<String, byte[]> f : store.readAll().entrySet()) {
            // An unreadable one is left to recovery, which sets it aside.
            store.parse(f.getValue())
                    .ifPresent(
                            rec -> {
                                Fd pidfd = reopen(rec);
                                byFile.put(
                                        f.getKey(),
                                        new Entry(f.getValue(), rec, pidfd, config(rec, pidfd)));
                            });
        }
        return new RecordPreload(byFile);
    }

    /** How many records were read ahead. */
    public synchronized int size() {
        return byFile.size();
    }

    /**
     * The entry read ahead for {@code file} if its bytes are still {@code bytes}; it is then the
     * caller's. Null when the file is new or changed since.
     */
    synchronized Entry take(String file, byte[] bytes) {
        Entry e = byFile.get(file);
        if (e == null || !Arrays.equals(e.bytes(), bytes)) {
            return null;
        }
        byFile.remove(file);
        return e;
    }

    /**
     * Closes what no record uses any more (files removed or changed since read ahead); returns how
     * many.
     */
    synchronized int closeRest() {
        int n = byFile.size();
        byFile.values().forEach(e -> close(e.pidfd()));
        byFile.clear();
        return n;
    }

    private static void close(Fd pidfd) {
        if (pidfd != null) {
            pidfd.close();
        }
    }

    /**
     * The bundle's config of a running container, read once here instead of by re-attach. A
     * prepared one (no init yet) is skipped: its bundle may still be being written.
     */
    private static BundleConfig config(ContainerRecord rec, Fd pidfd) {
        if (pidfd == null || rec.stage() == Stage.PREPARED) {
            return null;
        }
        try {
            return Bundles.open(rec.bundle());
        } catch (NestletException e) {
            // Re-attach opens it again and reports why it cannot.
            return null;
        }
    }

    /** A pidfd of the record's init if that very process still runs, else null. */
    static Fd reopen(ContainerRecord rec) {
        Fd pidfd;
        try {
            pidfd = PidCalls.pidfdOpen(rec.pid());
        } catch (SysException e) {
            return null;
        }
        boolean same =
                ProcStat.of(rec.pid()).map(s -> s.startTime() == rec.pidStartTime()).orElse(false);
        if (!same) {
            pidfd.close();
            return null;
        }
        return pidfd;
    }
}
