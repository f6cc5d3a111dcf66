package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nestlet.state.ContainerRecord;
import dev.nestlet.state.Stage;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which records say a container carries nestlet's notify filter and has had time to send it. */
class LostListenersTest {
    private static final Instant CREATED = Instant.parse("2026-11-30T13:00:00Z");

    private static ContainerRecord running(String prepared, Stage stage) {
        ContainerRecord rec =
                prepared == null
                        ? ContainerRecord.fromHook("c1", "/b", "/b/rootfs", CREATED.toString())
                        : ContainerRecord.prepared("c1", "/b", "/b/rootfs", "runc", "/r", prepared);
        return rec.withInit(1234, 99, "runc", Map.of(), CREATED.toString(), 100000, 100000)
                .withStage(stage);
    }

    @Test
    void onlyAPreparedRunningContainerPastTheSettlingTimeCarriesTheFilter() {
        Instant later = CREATED.plus(LostListeners.SETTLE).plusSeconds(1);
        assertTrue(LostListeners.carriesFilter(running(CREATED.toString(), Stage.RUNNING), later));
        assertFalse(
                LostListeners.carriesFilter(running(null, Stage.RUNNING), later),
                "the hook path adds no notify rule");
        assertFalse(
                LostListeners.carriesFilter(running(CREATED.toString(), Stage.CREATING), later),
                "not running yet");
        assertFalse(
                LostListeners.carriesFilter(
                        running(CREATED.toString(), Stage.RUNNING), CREATED.plusSeconds(1)),
                "its runtime may still be sending the listener");
    }
}
