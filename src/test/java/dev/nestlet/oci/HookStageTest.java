package dev.nestlet.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class HookStageTest {
    @Test
    void stagesAreSpelledAsInConfigJson() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertEquals(
                HookStage.CREATE_RUNTIME, json.readValue("\"createRuntime\"", HookStage.class));
        assertEquals("\"poststop\"", json.writeValueAsString(HookStage.POSTSTOP));
        assertThrows(Exception.class, () -> json.readValue("\"preStart\"", HookStage.class));
    }

    @Test
    void stateToleratesRuntimeExtras() throws Exception {
        OciState s =
                new ObjectMapper()
                        .readValue(
                                "{\"ociVersion\":\"1.0.2\",\"id\":\"a\",\"status\":\"created\","
                                        + "\"pid\":5,\"bundle\":\"/b\",\"created\":\"2026\",\"owner\":\"\"}",
                                OciState.class);
        assertEquals(5, s.pid());
        assertEquals(0, s.annotations().size());
    }
}
