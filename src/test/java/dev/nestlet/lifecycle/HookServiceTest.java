package dev.nestlet.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import dev.nestlet.fault.CrashPoint;
import dev.nestlet.ns.NamespaceWorkers;
import dev.nestlet.oci.Annotations;
import dev.nestlet.oci.HookStage;
import dev.nestlet.oci.OciState;
import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.Registry;
import dev.nestlet.state.Stage;
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
 * The stage -> feature orchestration with fake features and a fake init finder: which feature runs
 * when, in which order, what the registry holds after each stage, and how failures are undone. No
 * root needed: the "init" is this JVM, held by a pidfd as a real one would be.
 */
class HookServiceTest {
    private static final int SELF = (int) ProcessHandle.current().pid();
    private Process init;

    @TempDir Path dir;

    private final List<String> calls = new ArrayList<>();
    private Registry registry;
    private NamespaceWorkers workers;
    private Path bundle;

    /** Records each call as "name:stage"; fails at the stage named in {@code failAt}. */
    private final class FakeFeature implements Feature {
        private final String name;
        private final String failAt;

        FakeFeature(String name, String failAt) {
            this.name = name;
            this.failAt = failAt;
        }

        @Override
        public String name() {
            return name;
        }

        /** Never armed in a unit test: any point does. */
        @Override
        public CrashPoint crashPoint() {
            return CrashPoint.FEATURE_PREPARED_RESOURCES;
        }

        private void call(String stage) {
            calls.add(name + ":" + stage);
            if (stage.equals(failAt)) {
                throw new NestletException(ErrorCode.KERNEL, "refused at " + stage);
            }
        }

        @Override
        public ContainerRecord createRuntime(ContainerRecord rec, ContainerAccess access) {
            call("createRuntime");
            return rec.withMoreMounts(List.of("/" + name));
        }

        @Override
        public ContainerRecord createContainer(ContainerRecord rec, ContainerAccess access) {
            call("createContainer");
            return rec;
        }

        @Override
        public void release(ContainerRecord rec) {
            call("release");
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        registry = new Registry(new StateStore(dir.resolve("state"), new ObjectMapper()));
        workers = new NamespaceWorkers(0, 1000);
        bundle = dir.resolve("bundle");
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), "{\"root\":{\"path\":\"rootfs\"}}");
        init = new ProcessBuilder("sleep", "600").start();
    }

    /** The container's init exits, as it does before a runtime runs poststop. */
    private void initExits() throws InterruptedException {
        init.destroyForcibly().waitFor();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        initExits();
        workers.close();
        registry.all().forEach(c -> c.pidfd().close());
    }

    private HookService service(Feature... features) {
        InitProcess.Finder self =
                (id, pid, rootfs, caller) ->
                        new InitProcess(
                                PidCalls.pidfdOpen(pid), 1234, 100000, 100000, "fake-runtime");
        return new HookService(registry, workers, List.of(features), self);
    }

    private OciState state(String id, Map<String, String> annotations) {
        return new OciState(
                "1.0.2", id, "creating", (int) init.pid(), bundle.toString(), annotations);
    }

    private OciState system(String id) {
        return state(id, Map.of(Annotations.MODE, Annotations.MODE_SYSTEM));
    }

    @Test
    void createRuntimeRunsFeaturesInOrderAndRegisters() throws Exception {
        HookService s = service(new FakeFeature("a", null), new FakeFeature("b", null));
        HookResult r = s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF);
        assertEquals(HookResult.REGISTERED, r.action());
        assertEquals(List.of("a:createRuntime", "b:createRuntime"), calls);
        ContainerRecord rec = registry.get("c1").orElseThrow().record();
        assertEquals(Stage.RUNNING, rec.stage());
        assertEquals(
                List.of("/a", "/b"),
                rec.mounts(),
                "each feature gets the record the one before returned");
        assertEquals(init.pid(), rec.pid());
        assertEquals(100000, rec.rootUid());
        assertEquals("fake-runtime", rec.runtime());
    }

    @Test
    void aSecondCreateRuntimeForTheSameLiveInitIsANoOp() throws Exception {
        HookService s = service(new FakeFeature("a", null));
        s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF);
        assertEquals(
                HookResult.REGISTERED,
                s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF).action());
        assertEquals(List.of("a:createRuntime"), calls);
    }

    @Test
    void aFailingFeatureIsNamedAndEverythingIsReleasedInReverse() throws Exception {
        HookService s =
                service(
                        new FakeFeature("a", null),
                        new FakeFeature("b", "createRuntime"),
                        new FakeFeature("c", null));
        NestletException e =
                assertThrows(
                        NestletException.class,
                        () -> s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF));
        assertEquals(ErrorCode.KERNEL, e.code(), "the feature's code is kept");
        assertTrue(e.getMessage().startsWith("b: "), e.getMessage());
        assertEquals(
                List.of(
                        "a:createRuntime",
                        "b:createRuntime",
                        "c:release",
                        "b:release",
                        "a:release"),
                calls);
        assertTrue(registry.get("c1").isEmpty(), "a failed registration leaves no record");
    }

    @Test
    void createContainerRunsEveryFeatureOnARegisteredContainer() throws Exception {
        HookService s = service(new FakeFeature("a", null), new FakeFeature("b", null));
        s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF);
        calls.clear();
        assertEquals(
                HookResult.UPDATED,
                s.handle(HookStage.CREATE_CONTAINER, system("c1"), SELF).action());
        assertEquals(List.of("a:createContainer", "b:createContainer"), calls);
    }

    @Test
    void createContainerOfAnUnknownContainerIsNotFound() {
        HookService s = service(new FakeFeature("a", null));
        NestletException e =
                assertThrows(
                        NestletException.class,
                        () -> s.handle(HookStage.CREATE_CONTAINER, system("nobody"), SELF));
        assertEquals(ErrorCode.NOT_FOUND, e.code());
    }

    @Test
    void poststopReleasesInReverseAndForgets() throws Exception {
        HookService s = service(new FakeFeature("a", null), new FakeFeature("b", null));
        s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF);
        calls.clear();
        initExits();
        assertEquals(
                HookResult.RELEASED, s.handle(HookStage.POSTSTOP, system("c1"), SELF).action());
        assertEquals(List.of("b:release", "a:release"), calls);
        assertTrue(registry.get("c1").isEmpty());
        assertEquals(
                HookResult.NONE,
                s.handle(HookStage.POSTSTOP, system("c1"), SELF).action(),
                "a second poststop finds nothing to do");
    }

    @Test
    void poststopWhileTheInitRunsIsDeferred() throws Exception {
        HookService s = service(new FakeFeature("a", null));
        s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF);
        calls.clear();
        assertEquals(
                HookResult.DEFERRED, s.handle(HookStage.POSTSTOP, system("c1"), SELF).action());
        assertEquals(List.of(), calls, "nothing is released while the init lives");
        assertEquals(Stage.RUNNING, registry.get("c1").orElseThrow().record().stage());
        initExits();
        assertTrue(s.releaseIfGone("c1"), "the reconciler releases it once the init is gone");
        assertEquals(List.of("a:release"), calls);
    }

    @Test
    void aFailedReleaseKeepsTheRecordStopping() throws Exception {
        HookService s = service(new FakeFeature("a", null), new FakeFeature("b", "release"));
        s.handle(HookStage.CREATE_RUNTIME, system("c1"), SELF);
        calls.clear();
        initExits();
        assertThrows(
                NestletException.class, () -> s.handle(HookStage.POSTSTOP, system("c1"), SELF));
        assertEquals(
                List.of("b:release", "a:release"), calls, "the other features are still released");
        assertEquals(Stage.STOPPING, registry.get("c1").orElseThrow().record().stage());
    }

    @Test
    void containersThatDidNotOptInAreIgnored() throws Exception {
        HookService s = service(new FakeFeature("a", null));
        assertEquals(
                HookResult.IGNORED,
                s.handle(HookStage.CREATE_RUNTIME, state("c1", Map.of()), SELF).action());
        assertTrue(calls.isEmpty());
        assertFalse(registry.get("c1").isPresent());
    }

    @Test
    void badIdsAndMissingStateAreBadRequests() {
        HookService s = service(new FakeFeature("a", null));
        assertEquals(
                ErrorCode.BAD_REQUEST,
                assertThrows(
                                NestletException.class,
                                () -> s.handle(HookStage.CREATE_RUNTIME, system("../etc"), SELF))
                        .code());
        assertEquals(
                ErrorCode.BAD_REQUEST,
                assertThrows(
                                NestletException.class,
                                () -> s.handle(HookStage.CREATE_RUNTIME, null, SELF))
                        .code());
        assertTrue(calls.isEmpty());
    }
}
