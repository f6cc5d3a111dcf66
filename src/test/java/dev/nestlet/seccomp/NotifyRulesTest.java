package dev.nestlet.seccomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.NsCalls;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The argument conditions of the notify rules, evaluated as the kernel's filter would: every call
 * the agent may act on still reaches it, the ones it only lets through do not, and under a
 * restrictive default each mount call matches exactly one action.
 */
class NotifyRulesTest {
    /** Every flag the rules or the handler look at, the magic, and two they ignore. */
    private static final long[] BITS = {
        MountCalls.MS_RDONLY,
        MountCalls.MS_NOSUID,
        MountCalls.MS_REMOUNT,
        MountCalls.MS_BIND,
        MountCalls.MS_MOVE,
        MountCalls.MS_REC,
        MountCalls.MS_UNBINDABLE,
        MountCalls.MS_PRIVATE,
        MountCalls.MS_SLAVE,
        MountCalls.MS_SHARED,
        MountCalls.MS_RELATIME,
        1L << 31,
    };

    /**
     * What the filter answers: the actions of every rule for {@code name} matching {@code args}.
     */
    private static Set<String> actions(List<ObjectNode> rules, String name, long... args) {
        Set<String> out = new TreeSet<>();
        for (JsonNode r : rules) {
            boolean named = false;
            for (JsonNode n : r.path("names")) {
                named |= n.asText().equals(name);
            }
            if (!named) {
                continue;
            }
            boolean all = true;
            for (JsonNode a : r.path("args")) {
                long arg = args[a.path("index").asInt()];
                all &=
                        switch (a.path("op").asText()) {
                            case "SCMP_CMP_EQ" -> arg == a.path("value").asLong();
                            case "SCMP_CMP_MASKED_EQ" ->
                                    (arg & a.path("value").asLong()) == a.path("valueTwo").asLong();
                            default -> throw new AssertionError("unexpected op " + a);
                        };
            }
            if (all) {
                out.add(r.path("action").asText());
            }
        }
        return out;
    }

    private static long flags(int combination, boolean magic) {
        long f = magic ? MountCalls.MS_MGC_VAL : 0;
        for (int i = 0; i < BITS.length; i++) {
            if ((combination & (1 << i)) != 0) {
                f |= BITS[i];
            }
        }
        return f;
    }

    @Test
    void underAnAllowingDefaultOnlyWhatTheAgentLetsThroughSkipsIt() {
        List<ObjectNode> rules = NotifyRules.of(SeccompProfiles.NOTIFIED, true);
        int skipped = 0;
        for (int c = 0; c < 1 << BITS.length; c++) {
            for (boolean magic : new boolean[] {false, true}) {
                long f = flags(c, magic);
                Set<String> a = actions(rules, "mount", 0, 0, 0, f, 0);
                boolean notified = a.contains("SCMP_ACT_NOTIFY");
                assertEquals(notified ? Set.of("SCMP_ACT_NOTIFY") : Set.of(), a, "flags " + f);
                if (!notified) {
                    skipped++;
                    assertTrue(
                            MountFlags.continuesUnchecked(f),
                            "flags " + Long.toHexString(f) + " need the agent but skip it");
                } else if ((f & (1L << 31)) == 0) {
                    assertFalse(
                            MountFlags.continuesUnchecked(f),
                            "flags " + Long.toHexString(f) + " notify for nothing");
                }
            }
        }
        assertTrue(skipped > 0, "some mount calls are decided in the filter");
        assertEquals(
                Set.of(),
                actions(rules, "mount", 0, 0, 0, MountCalls.MS_REC | MountCalls.MS_PRIVATE, 0),
                "runc's and dockerd's `mount --make-rprivate` never reach nestletd");
        assertEquals(
                Set.of("SCMP_ACT_NOTIFY"),
                actions(rules, "mount", 0, 0, 0, MountCalls.MS_MGC_VAL, 0),
                "a new mount with the old magic (looks like MS_PRIVATE | MS_SLAVE) notifies");
    }

    @Test
    void underARestrictiveDefaultEachMountMatchesExactlyOneAction() {
        List<ObjectNode> rules = NotifyRules.of(SeccompProfiles.NOTIFIED, false);
        for (int c = 0; c < 1 << BITS.length; c++) {
            for (boolean magic : new boolean[] {false, true}) {
                long f = flags(c, magic);
                Set<String> a = actions(rules, "mount", 0, 0, 0, f, 0);
                assertEquals(1, a.size(), "flags " + Long.toHexString(f) + ": " + a);
                if (a.contains("SCMP_ACT_ALLOW")) {
                    assertTrue(MountFlags.continuesUnchecked(f), Long.toHexString(f));
                } else if ((f & (1L << 31)) == 0) {
                    assertFalse(MountFlags.continuesUnchecked(f), Long.toHexString(f));
                }
            }
        }
    }

    @Test
    void setnsNotifiesForTheNetworkNamespaceOnly() {
        List<ObjectNode> allow = NotifyRules.of(SeccompProfiles.NOTIFIED, true);
        List<ObjectNode> deny = NotifyRules.of(SeccompProfiles.NOTIFIED, false);
        for (long t : new long[] {0, NsCalls.CLONE_NEWNET}) {
            assertEquals(Set.of("SCMP_ACT_NOTIFY"), actions(allow, "setns", 3, t));
            assertEquals(Set.of("SCMP_ACT_NOTIFY"), actions(deny, "setns", 3, t));
        }
        for (long t : new long[] {0x20000, 0x02000000, 0x04000000, 0x08000000, 0x10000000}) {
            assertEquals(Set.of(), actions(allow, "setns", 3, t), "type " + t);
            assertEquals(Set.of("SCMP_ACT_NOTIFY"), actions(deny, "setns", 3, t), "type " + t);
        }
    }

    @Test
    void everyOtherNotifiedCallNotifiesWithoutConditions() {
        for (boolean defaultAllows : new boolean[] {true, false}) {
            List<ObjectNode> rules = NotifyRules.of(SeccompProfiles.NOTIFIED, defaultAllows);
            for (String name : SeccompProfiles.NOTIFIED) {
                if (!name.equals("mount") && !name.equals("setns")) {
                    assertEquals(
                            Set.of("SCMP_ACT_NOTIFY"), actions(rules, name, 0, 0, 0, 0, 0), name);
                }
            }
        }
    }
}
