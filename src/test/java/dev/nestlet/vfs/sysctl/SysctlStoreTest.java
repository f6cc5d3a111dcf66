package dev.nestlet.vfs.sysctl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saved sysctl values: what a restarted nestletd reads back, and what the reconciler finds. */
class SysctlStoreTest {
    @Test
    void savedValuesComeBackUntilRemoved(@TempDir Path state) throws Exception {
        SysctlStore store = new SysctlStore(state);
        Map<String, long[]> values = new LinkedHashMap<>();
        values.put("kernel.panic", new long[] {10});
        values.put("net.ipv4.ip_local_port_range", new long[] {1024, 65535});
        store.save("c1", values);
        Map<String, long[]> back = store.load("c1").orElseThrow();
        assertArrayEquals(new long[] {10}, back.get("kernel.panic"));
        assertArrayEquals(new long[] {1024, 65535}, back.get("net.ipv4.ip_local_port_range"));
        assertEquals(Set.of("c1"), store.ids());
        store.remove("c1");
        assertTrue(store.load("c1").isEmpty());
        assertEquals(Set.of(), store.ids());
    }

    @Test
    void anUnreadableFileIsTreatedAsNone(@TempDir Path state) throws Exception {
        SysctlStore store = new SysctlStore(state);
        Files.writeString(state.resolve("sysctl/c2.json"), "{\"kernel.panic\": ");
        assertTrue(store.load("c2").isEmpty());
        assertEquals(Set.of("c2"), store.ids(), "still a leftover for the reconciler to remove");
    }
}
