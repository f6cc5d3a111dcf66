package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SeccompProfilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SOCKET = Path.of("/var/lib/nestlet/run/seccomp.sock");

    static ObjectNode dockerConfig() throws Exception {
        try (InputStream in =
                SeccompProfilesTest.class.getResourceAsStream("docker-20.10-config.json")) {
            return (ObjectNode) JSON.readTree(in);
        }
    }

    /** Every rule naming {@code name}. */
    static List<JsonNode> rulesFor(JsonNode seccomp, String name) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : seccomp.path("syscalls")) {
            for (JsonNode n : r.path("names")) {
                if (n.asText().equals(name)) {
                    out.add(r);
                }
            }
        }
        return out;
    }

    @Test
    void withoutProfileMakesAMinimalAllowProfile() {
        ObjectNode config = JSON.createObjectNode();
        config.putObject("process").put("cwd", "/");
        JsonNode out = SeccompProfiles.withNotify(config, SOCKET);
        JsonNode s = out.path("linux").path("seccomp");
        assertEquals("SCMP_ACT_ALLOW", s.path("defaultAction").asText());
        assertEquals(SOCKET.toString(), s.path("listenerPath").asText());
        List<String> names = new ArrayList<>();
        for (JsonNode rule : s.path("syscalls")) {
            assertEquals("SCMP_ACT_NOTIFY", rule.path("action").asText(), "only notify rules");
            rule.path("names").forEach(n -> names.add(n.asText()));
        }
        assertEquals(
                new TreeSet<>(SeccompProfiles.NOTIFIED),
                new TreeSet<>(names),
                "the notify rules name exactly the notified calls: " + s);
        assertEquals(3, s.path("architectures").size());
        assertEquals(
                "/", out.path("process").path("cwd").asText(), "the rest of the config is kept");
        assertFalse(config.has("linux"), "the input is not changed");
    }

    @Test
    void dockerProfileKeepsItsShapeAndGainsTheNotifyRules() throws Exception {
        ObjectNode docker = dockerConfig();
        String before = docker.toString();
        JsonNode in = docker.path("linux").path("seccomp");
        JsonNode s = SeccompProfiles.withNotify(docker, SOCKET).path("linux").path("seccomp");

        assertEquals(before, docker.toString(), "the input is not changed");
        assertEquals(in.path("defaultAction"), s.path("defaultAction"));
        assertEquals(in.path("architectures"), s.path("architectures"));
        assertEquals(SOCKET.toString(), s.path("listenerPath").asText());
        for (String name : SeccompProfiles.NOTIFIED) {
            List<JsonNode> rules = rulesFor(s, name);
            if (name.equals("mount")) {
                assertEquals(
                        "[SCMP_ACT_ALLOW, SCMP_ACT_NOTIFY]",
                        rules.stream()
                                .map(r -> r.path("action").asText())
                                .sorted()
                                .distinct()
                                .toList()
                                .toString(),
                        "under Docker's deny-by-default, mount's rest is allowed explicitly");
                continue;
            }
            assertEquals(1, rules.size(), name + " is in exactly one rule");
            assertEquals("SCMP_ACT_NOTIFY", rules.get(0).path("action").asText());
        }
        // every other name keeps its rules, in order
        List<JsonNode> allowAll = rulesFor(in, "accept4");
        assertEquals(
                allowAll.get(0).path("names").size(),
                rulesFor(s, "accept4").get(0).path("names").size(),
                "Docker's big allow rule lost nothing (it names none of the notified calls in 20.10)");
        assertEquals(
                in.path("syscalls").size() + NotifyRules.of(SeccompProfiles.NOTIFIED, false).size(),
                s.path("syscalls").size());
    }

    @Test
    void notifiedNamesLeaveExistingRulesAndEmptyRulesGo() throws Exception {
        ObjectNode config =
                (ObjectNode)
                        JSON.readTree(
                                """
                {"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
                  {"names":["read","mount","write"],"action":"SCMP_ACT_ALLOW"},
                  {"names":["umount2"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":2,"op":"SCMP_CMP_EQ"}]},
                  {"names":["move_mount","umount"],"action":"SCMP_ACT_ERRNO"}]}}}""");
        JsonNode s = SeccompProfiles.withNotify(config, SOCKET).path("linux").path("seccomp");
        assertEquals(
                1 + NotifyRules.of(SeccompProfiles.NOTIFIED, false).size(),
                s.path("syscalls").size(),
                s.toString());
        assertEquals("[\"read\",\"write\"]", s.path("syscalls").get(0).path("names").toString());
        assertEquals("SCMP_ACT_NOTIFY", s.path("syscalls").get(1).path("action").asText());
        assertFalse(
                s.has("architectures"), "no architectures are invented for an existing profile");
    }

    @Test
    void anotherAgentsListenerIsNotOverwritten() throws Exception {
        ObjectNode config =
                (ObjectNode)
                        JSON.readTree(
                                "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/other.sock\"}}}");
        NestletException e =
                assertThrows(
                        NestletException.class, () -> SeccompProfiles.withNotify(config, SOCKET));
        assertEquals(ErrorCode.BAD_BUNDLE, e.code(), "the bundle's fault, not nestlet's");
        assertTrue(e.getMessage().contains("/run/other.sock"), e.getMessage());
        ObjectNode ours = SeccompProfiles.withNotify(JSON.createObjectNode(), SOCKET);
        JsonNode again = SeccompProfiles.withNotify(ours, SOCKET);
        assertEquals(
                ours.path("linux").path("seccomp"),
                again.path("linux").path("seccomp"),
                "applying twice is harmless");
    }

    @Test
    void engineRelaxationsReplaceDockersConditionalRules() throws Exception {
        JsonNode in = dockerConfig().path("linux").path("seccomp");
        assertTrue(rulesFor(in, "clone").get(0).has("args"), "Docker restricts clone's flags");
        assertEquals("SCMP_ACT_ERRNO", rulesFor(in, "clone3").get(0).path("action").asText());

        JsonNode s =
                SeccompProfiles.forSystemContainer(dockerConfig(), SOCKET)
                        .path("linux")
                        .path("seccomp");
        for (String name : SeccompProfiles.ENGINE_RELAXATIONS) {
            List<JsonNode> rules = rulesFor(s, name);
            assertEquals(1, rules.size(), name + " is in exactly one rule: " + rules);
            String expected =
                    SeccompProfiles.NOTIFIED.contains(name) ? "SCMP_ACT_NOTIFY" : "SCMP_ACT_ALLOW";
            assertEquals(expected, rules.get(0).path("action").asText(), name);
            assertFalse(rules.get(0).has("args"), name + " is allowed without conditions");
        }
        assertEquals(
                NotifyRules.of(List.of("mount"), false).size() - 1,
                rulesFor(s, "mount").size(),
                "mount: its notify and allow rules only");
        assertEquals(in.path("defaultAction"), s.path("defaultAction"));
        assertEquals(5, rulesFor(s, "personality").size(), "unrelated conditional rules stay");
    }

    @Test
    void relaxationsChangeNothingWithoutARestrictiveProfile() throws Exception {
        ObjectNode none = JSON.createObjectNode();
        assertEquals(none, SeccompProfiles.withEngineRelaxations(none));
        ObjectNode allow =
                (ObjectNode)
                        JSON.readTree(
                                "{\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[]}}}");
        assertEquals(allow, SeccompProfiles.withEngineRelaxations(allow));
    }
}
