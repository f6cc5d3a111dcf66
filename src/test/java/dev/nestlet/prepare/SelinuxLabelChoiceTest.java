package dev.nestlet.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SELinux process label prepare gives a system container, from the one the engine wrote: the
 * engine's default type becomes container_engine_t with user, role and level kept; anything chosen
 * otherwise stays.
 */
class SelinuxLabelChoiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param process config.json's process object
     * @param label the label prepare leaves, null for none
     * @param replaced what systemSelinuxLabel returns
     */
    private record Case(String why, String process, String label, String replaced) {}

    private static final String MOUNT_LABEL = "system_u:object_r:container_file_t:s0:c647,c780";

    @Test
    void theEnginesDefaultTypeBecomesContainerEngineT() throws Exception {
        List<Case> cases =
                List.of(
                        new Case("no SELinux on the host", "{}", null, null),
                        new Case("label=disable (docker)", "{\"selinuxLabel\":\"\"}", "", null),
                        new Case(
                                "docker/podman's default with the container's categories",
                                "{\"selinuxLabel\":\"system_u:system_r:container_t:s0:c647,c780\"}",
                                "system_u:system_r:container_engine_t:s0:c647,c780",
                                "system_u:system_r:container_t:s0:c647,c780"),
                        new Case(
                                "a level range with a category range",
                                "{\"selinuxLabel\":\"system_u:system_r:container_t:s0-s0:c0.c1023\"}",
                                "system_u:system_r:container_engine_t:s0-s0:c0.c1023",
                                "system_u:system_r:container_t:s0-s0:c0.c1023"),
                        new Case(
                                "a policy without MLS: no level",
                                "{\"selinuxLabel\":\"system_u:system_r:container_t\"}",
                                "system_u:system_r:container_engine_t",
                                "system_u:system_r:container_t"),
                        new Case(
                                "the older alias of container_t",
                                "{\"selinuxLabel\":\"system_u:system_r:svirt_lxc_net_t:s0:c1,c2\"}",
                                "system_u:system_r:container_engine_t:s0:c1,c2",
                                "system_u:system_r:svirt_lxc_net_t:s0:c1,c2"),
                        new Case(
                                "podman's label=disable: spc_t, unconfined by choice",
                                "{\"selinuxLabel\":\"system_u:system_r:spc_t:s0\"}",
                                "system_u:system_r:spc_t:s0",
                                null),
                        new Case(
                                "podman's systemd type",
                                "{\"selinuxLabel\":\"system_u:system_r:container_init_t:s0:c5,c6\"}",
                                "system_u:system_r:container_init_t:s0:c5,c6",
                                null),
                        new Case(
                                "a custom type",
                                "{\"selinuxLabel\":\"system_u:system_r:my_ci_t:s0:c5,c6\"}",
                                "system_u:system_r:my_ci_t:s0:c5,c6",
                                null),
                        new Case(
                                "already container_engine_t (prepared, or the user's)",
                                "{\"selinuxLabel\":\"system_u:system_r:container_engine_t:s0:c5\"}",
                                "system_u:system_r:container_engine_t:s0:c5",
                                null));
        for (Case c : cases) {
            ObjectNode cfg =
                    (ObjectNode)
                            JSON.readTree(
                                    "{\"process\":"
                                            + c.process()
                                            + ",\"linux\":{\"mountLabel\":\""
                                            + MOUNT_LABEL
                                            + "\"}}");
            SpecEditor.checkShape(cfg);
            assertEquals(c.replaced(), SpecEditor.systemSelinuxLabel(cfg, l -> true), c.why());
            assertEquals(
                    c.label(),
                    cfg.at("/process/selinuxLabel").isMissingNode()
                            ? null
                            : cfg.at("/process/selinuxLabel").asText(),
                    c.why());
            assertEquals(MOUNT_LABEL, cfg.at("/linux/mountLabel").asText(), c.why());
            assertEquals(
                    null,
                    SpecEditor.systemSelinuxLabel(cfg, l -> true),
                    c.why() + ": prepared once");
        }
    }

    @Test
    void aPolicyWithoutContainerEngineTKeepsTheEnginesLabel() throws Exception {
        String engines = "system_u:system_r:container_t:s0:c647,c780";
        ObjectNode cfg =
                (ObjectNode) JSON.readTree("{\"process\":{\"selinuxLabel\":\"" + engines + "\"}}");
        List<String> asked = new ArrayList<>();
        assertEquals(
                null,
                SpecEditor.systemSelinuxLabel(
                        cfg,
                        l -> {
                            asked.add(l);
                            return false;
                        }));
        assertEquals(engines, cfg.at("/process/selinuxLabel").asText(), "the runtime can set it");
        assertEquals(
                List.of("system_u:system_r:container_engine_t:s0:c647,c780"),
                asked,
                "the policy is asked about the exact label the runtime would set");
    }

    @Test
    void aMalformedLabelIsABadBundleNamingTheField() throws Exception {
        for (String label :
                List.of(
                        "\"container_t\"",
                        "\"system_u:system_r\"",
                        "\"system_u::container_t:s0\"",
                        "\"system_u:system_r:container_t:\"",
                        "\"system_u:system_r:container t:s0\"",
                        "\"system_u:system_r:container_t:s0\\nc1\"",
                        "42",
                        "{\"type\":\"container_t\"}")) {
            ObjectNode cfg =
                    (ObjectNode) JSON.readTree("{\"process\":{\"selinuxLabel\":" + label + "}}");
            NestletException e =
                    assertThrows(NestletException.class, () -> SpecEditor.checkShape(cfg), label);
            assertEquals(ErrorCode.BAD_BUNDLE, e.code(), label);
            assertTrue(e.getMessage().contains("/process/selinuxLabel"), e.getMessage());
        }
    }
}
