package dev.nestlet.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.oci.Annotations;
import dev.nestlet.oci.HookStage;
import dev.nestlet.oci.OciState;
import dev.nestlet.proc.ProcStat;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.LiveContainer;
import dev.nestlet.state.Registry;
import dev.nestlet.state.StateStore;
import dev.nestlet.sys.PidCalls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recovery with records read ahead, as a nestletd taking over does it before the switch while the
 * old one still serves: two nestletds' registries on one state dir, the "old" one creating,
 * changing and removing containers between the read ahead and the recovery. No root needed: the
 * inits are one child process, held by pidfds as real ones would be.
 */
class ReconcilerTest {
    private static final int SELF = (int) ProcessHandle.current().pid();

    @TempDir Path dir;

    private Process init;
    private Path bundle;
    private NamespaceWorkers workers;
    private final List<Registry> registries = new ArrayList<>();
    private final List<String> reattached = new ArrayList<>();

    /** Notes which containers it was re-attached to. */
    private final class Reattaching implements Feature {
        @Override
        public String name() {
            return "reattaching";
        }

        /** Never armed in a unit test: any point does. */
        @Override
        public CrashPoint crashPoint() {
            return CrashPoint.FEATURE_PREPARED_RESOURCES;
        }

        @Override
        public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access) {
            return rec;
        }

        @Override
        public ContainerRecord reattach(ContainerRecord rec, ContainerAccess access) {
            reattached.add(rec.id());
            return rec;
        }

        @Override
        public void release(ContainerRecord rec) {}
    }

    @BeforeEach
    void setUp() throws Exception {
        workers = new NamespaceWorkers(0, 1000);
        bundle = dir.resolve("bundle");
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), "{\"root\":{\"path\":\"rootfs\"}}");
        init = new ProcessBuilder("sleep", "600").start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        init.destroyForcibly().waitFor();
        workers.close();
        registries.forEach(r -> r.all().forEach(c -> c.pidfd().close()));
    }

    /**
     * One nestletd's registry and hook service on the shared state dir. The init's real start time
     * is recorded: recovery checks it.
     */
    private HookService nestletd(Registry registry) {
        InitProcess.Finder finder =
                (id, pid, rootfs, caller) ->
                        new InitProcess(
                                PidCalls.pidfdOpen(pid),
                                ProcStat.of(pid).orElseThrow().startTime(),
                                100000,
                                100000,
                                "fake-runtime");
        return new HookService(registry, workers, List.of(new Reattaching()), finder);
    }

    private Registry registry() throws Exception {
        Registry r = new Registry(new StateStore(dir.resolve("state"), new ObjectMapper()));
        registries.add(r);
        return r;
    }

    private void create(HookService old, String id) throws Exception {
        old.handle(
                HookStage.CREATE_RUNTIME,
                new OciState(
                        "1.0.2",
                        id,
                        "creating",
                        (int) init.pid(),
                        bundle.toString(),
                        Map.of(Annotations.MODE, Annotations.MODE_SYSTEM)),
                SELF);
    }

    @Test
    void containersCreatedChangedOrRemovedAfterTheReadAheadAreRecoveredAsTheyAreNow()
            throws Exception {
        Registry oldRegistry = registry();
        HookService old = nestletd(oldRegistry);
        create(old, "kept");
        create(old, "changed");
        create(old, "removed");
        Registry newRegistry = registry();
        RecordPreload ahead = RecordPreload.read(newRegistry.store());
        assertEquals(3, ahead.size());

        // Between the read ahead and the switch the old nestletd still serves.
        create(old, "created");
        oldRegistry.remove("removed");
        LiveContainer changed = oldRegistry.get("changed").orElseThrow();
        ContainerRecord now = changed.record().withAnnotations(Map.of("changed", "yes"));
        oldRegistry.update(changed, now);

        new Reconciler(newRegistry, nestletd(newRegistry), List.of(new Reattaching()))
                .recover(ahead);
        assertEquals(
                List.of("changed", "created", "kept"),
                newRegistry.all().stream().map(c -> c.record().id()).sorted().toList());
        assertEquals(now, newRegistry.get("changed").orElseThrow().record(), "as it is now");
        assertEquals(
                oldRegistry.get("kept").orElseThrow().record(),
                newRegistry.get("kept").orElseThrow().record());
        assertEquals(
                List.of("changed", "created", "kept"),
                reattached.stream().sorted().toList(),
                "every live one re-attached, the removed one not");
        assertTrue(newRegistry.get("removed").isEmpty());
        assertEquals(0, ahead.size(), "what was read ahead is used or closed");
    }

    @Test
    void readingAheadChangesNothingOnDisk() throws Exception {
        Registry registry = registry();
        create(nestletd(registry), "a");
        Path records = dir.resolve("state/containers");
        Files.writeString(records.resolve("broken.json"), "{not json");
        RecordPreload ahead = RecordPreload.read(registry.store());
        assertEquals(1, ahead.size(), "the unreadable one is left to recovery");
        assertTrue(Files.exists(records.resolve("broken.json")), "not set aside by a read ahead");
        ahead.closeRest();
    }
}
