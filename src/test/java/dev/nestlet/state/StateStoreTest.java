package dev.nestlet.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.idmap.IdRange;
import dev.nestlet.shift.ShiftResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir Path dir;

    private static ContainerRecord record(String id) {
        return ContainerRecord.prepared(
                        id, "/b", "/b/rootfs", "runc", "/run/runc", "2026-01-01T00:00:00Z")
                .withIdRange(new IdRange(100000, 100000, 65536), false)
                .withShift(
                        new ShiftResult(
                                "idmap",
                                "/b/rootfs",
                                "/s/mounts/" + id + "/rootfs",
                                List.of("/s/mounts/" + id + "/rootfs"),
                                List.of(),
                                List.of()))
                .withInit(
                        42,
                        1234,
                        "runc",
                        Map.of("io.nestlet.mode", "system"),
                        "2026-01-01T00:00:01Z",
                        100000,
                        100000)
                .withDataDir("/s/data/" + id, List.of("/var/lib/docker"))
                .withCgroups(List.of("/sys/fs/cgroup/memory/x"))
                .withStage(Stage.RUNNING);
    }

    @Test
    void savedRecordsComeBackWhole() throws Exception {
        StateStore store = new StateStore(dir, new ObjectMapper());
        store.save(record("a"));
        store.save(record("b").withStage(Stage.STOPPING));
        List<ContainerRecord> all = store.loadAll();
        assertEquals(2, all.size());
        assertTrue(all.contains(record("a")));
        assertTrue(all.contains(record("b").withStage(Stage.STOPPING)));
        store.delete("a");
        assertEquals(List.of(record("b").withStage(Stage.STOPPING)), store.loadAll());
    }

    @Test
    void corruptFileIsSetAsideNotLost() throws Exception {
        StateStore store = new StateStore(dir, new ObjectMapper());
        store.save(record("good"));
        Files.writeString(dir.resolve("containers/bad.json"), "{\"id\": tru");
        assertEquals(List.of(record("good")), store.loadAll());
        assertTrue(Files.exists(dir.resolve("containers/bad.json.corrupt")));
    }

    @Test
    void noTemporaryFileIsLeft() throws Exception {
        StateStore store = new StateStore(dir, new ObjectMapper());
        store.save(record("x"));
        try (var s = Files.list(dir.resolve("containers"))) {
            assertEquals(List.of(dir.resolve("containers/x.json")), s.toList());
        }
    }
}
