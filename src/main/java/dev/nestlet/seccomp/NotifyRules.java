package dev.nestlet.seccomp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.sys.MountCalls;
import dev.nestlet.sys.NsCalls;
import java.util.ArrayList;
import java.util.List;

/**
 * The seccomp rules that send {@link SeccompProfiles#NOTIFIED} calls to the agent. mount and setns
 * carry argument conditions, so the kernel's filter itself lets through the calls the agent would
 * answer CONTINUE to whatever their other arguments ({@link MountFlags#continuesUnchecked}: a
 * recursive bind or a propagation change; setns of a namespace type other than network): an inner
 * dockerd and runc make dozens of them per container, and each round trip to nestletd costs about
 * 100 us. Every other call the handler may act on still notifies. docs/seccomp.md has the table.
 */
final class NotifyRules {
    private static final String NOTIFY = "SCMP_ACT_NOTIFY";
    private static final String ALLOW = "SCMP_ACT_ALLOW";
    private static final int MOUNT_FLAGS = 3;
    private static final int SETNS_TYPE = 1;

    /**
     * Bit 31 of mount's flags: MS_NOUSER, which the kernel refuses from user space, and part of the
     * historic magic MS_MGC_VAL, whose other bits look like MS_PRIVATE and MS_SLAVE until the
     * kernel strips it. A call with it set always notifies; the agent reads the flags as the kernel
     * does.
     */
    private static final long MAGIC_BIT = 1L << 31;

    private static final long REMOUNT_MOVE = MountCalls.MS_REMOUNT | MountCalls.MS_MOVE;

    private NotifyRules() {}

    /**
     * The rules for {@code names} (a subset of {@link SeccompProfiles#NOTIFIED}). Under a default
     * action that allows, what the conditions leave out is allowed by it; under any other, explicit
     * allow rules cover exactly the rest of mount, and setns notifies without conditions: its rest,
     * "neither 0 nor CLONE_NEWNET", is not one comparison, and one rule per other bit would be 31.
     */
    static List<ObjectNode> of(List<String> names, boolean defaultAllows) {
        List<ObjectNode> out = new ArrayList<>();
        List<String> plain = new ArrayList<>(names);
        if (plain.remove("mount")) {
            out.addAll(mount(defaultAllows));
        }
        if (defaultAllows && plain.remove("setns")) {
            out.add(rule("setns", NOTIFY, eq(SETNS_TYPE, 0)));
            out.add(rule("setns", NOTIFY, eq(SETNS_TYPE, NsCalls.CLONE_NEWNET)));
        }
        ObjectNode rest = JsonNodeFactory.instance.objectNode();
        plain.forEach(rest.putArray("names")::add);
        rest.put("action", NOTIFY);
        out.add(0, rest);
        return out;
    }

    /**
     * Notified: a remount, a move, a bind without MS_REC, a request with neither MS_BIND nor a
     * propagation flag (a new mount: proc and sysfs are told apart by the fs type, a string the
     * filter cannot read), and anything with bit 31. Allowed (explicitly only when the default does
     * not): a recursive bind, and a propagation change, neither with a remount, a move or bit 31.
     */
    private static List<ObjectNode> mount(boolean defaultAllows) {
        List<ObjectNode> out = new ArrayList<>();
        out.add(rule("mount", NOTIFY, masked(MountCalls.MS_REMOUNT, MountCalls.MS_REMOUNT)));
        out.add(rule("mount", NOTIFY, masked(MountCalls.MS_MOVE, MountCalls.MS_MOVE)));
        out.add(
                rule(
                        "mount",
                        NOTIFY,
                        masked(MountCalls.MS_BIND | MountCalls.MS_REC, MountCalls.MS_BIND)));
        out.add(rule("mount", NOTIFY, masked(MountCalls.MS_BIND | MountFlags.PROPAGATION, 0)));
        out.add(rule("mount", NOTIFY, masked(MAGIC_BIT, MAGIC_BIT)));
        if (!defaultAllows) {
            long fixed = REMOUNT_MOVE | MAGIC_BIT | MountCalls.MS_BIND;
            out.add(
                    rule(
                            "mount",
                            ALLOW,
                            masked(
                                    fixed | MountCalls.MS_REC,
                                    MountCalls.MS_BIND | MountCalls.MS_REC)));
            for (long p :
                    new long[] {
                        MountCalls.MS_SHARED,
                        MountCalls.MS_PRIVATE,
                        MountCalls.MS_SLAVE,
                        MountCalls.MS_UNBINDABLE
                    }) {
                out.add(rule("mount", ALLOW, masked(fixed | p, p)));
            }
        }
        return out;
    }

    private static ObjectNode rule(String name, String action, ObjectNode arg) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.putArray("names").add(name);
        r.put("action", action);
        ArrayNode args = r.putArray("args");
        args.add(arg);
        return r;
    }

    /** OCI's SCMP_CMP_MASKED_EQ: {@code (arg & mask) == value}; runc takes the mask in "value". */
    private static ObjectNode masked(long mask, long value) {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        a.put("index", MOUNT_FLAGS);
        a.put("value", mask);
        a.put("valueTwo", value);
        a.put("op", "SCMP_CMP_MASKED_EQ");
        return a;
    }

    private static ObjectNode eq(int index, long value) {
        ObjectNode a = JsonNodeFactory.instance.objectNode();
        a.put("index", index);
        a.put("value", value);
        a.put("op", "SCMP_CMP_EQ");
        return a;
    }
}
