package dev.nestlet.seccomp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Edits the seccomp section of a bundle's config.json for a system container. Pure functions over
 * JSON: the input is never changed, a new tree comes back. docs/seccomp.md explains every syscall
 * listed here.
 */
public final class SeccompProfiles {
    /**
     * Calls the agent is notified of (SCMP_ACT_NOTIFY). "umount" exists on i386 only. fsmount and
     * fsconfig are not: the contexts they act on come only from fsopen and fspick, which are.
     */
    public static final List<String> NOTIFIED =
            List.of(
                    "mount",
                    "umount2",
                    "umount",
                    "move_mount",
                    "setns",
                    "open_tree",
                    "fsopen",
                    "fspick",
                    "mount_setattr");

    /**
     * Calls an engine inside needs that Docker's default profile allows only with CAP_SYS_ADMIN (or
     * not at all); inside the container's own user namespace the kernel's checks still apply to
     * them.
     */
    public static final List<String> ENGINE_RELAXATIONS =
            List.of(
                    "unshare",
                    "setns",
                    "clone",
                    "clone3",
                    "pivot_root",
                    "keyctl",
                    "add_key",
                    "request_key",
                    "sethostname",
                    "setdomainname",
                    "chroot",
                    "fsopen",
                    "fsconfig",
                    "fsmount",
                    "fspick",
                    "open_tree",
                    "mount_setattr");

    /** Architectures of the profile nestlet writes when the engine wrote none. */
    public static final List<String> ARCHITECTURES =
            List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");

    private SeccompProfiles() {}

    /**
     * What nestlet-runtime's prepare step applies: the engine relaxations, then the notify rule.
     */
    public static ObjectNode forSystemContainer(ObjectNode config, Path listenerSocket) {
        return withNotify(withEngineRelaxations(config), listenerSocket);
    }

    /**
     * {@code config} with SCMP_ACT_NOTIFY rules for {@link #NOTIFIED} ({@link NotifyRules}: mount
     * and setns only for the arguments the agent may act on) and {@code linux.seccomp.listenerPath}
     * set. An existing profile keeps its default action, architectures, flags and every other rule;
     * the notified names are taken out of its rules (libseccomp refuses two actions for one call)
     * and rules left without names are dropped. Without a profile, a minimal one is made: allow by
     * default, only the notify rule.
     *
     * @throws NestletException bad_bundle when the config already names another seccomp agent
     */
    public static ObjectNode withNotify(ObjectNode config, Path listenerSocket) {
        ObjectNode out = config.deepCopy();
        ObjectNode seccomp = seccompOf(out);
        JsonNode existing = seccomp.get("listenerPath");
        if (existing != null
                && !existing.isNull()
                && !existing.asText().equals(listenerSocket.toString())) {
            throw new NestletException(
                    ErrorCode.BAD_BUNDLE,
                    "config.json already sends seccomp notifications to "
                            + existing.asText()
                            + "; nestlet cannot share them");
        }
        ArrayNode rules = withoutNames(seccomp, NOTIFIED);
        rules.addAll(
                NotifyRules.of(
                        NOTIFIED, "SCMP_ACT_ALLOW".equals(seccomp.path("defaultAction").asText())));
        seccomp.put("listenerPath", listenerSocket.toString());
        return out;
    }

    /**
     * {@code config} with {@link #ENGINE_RELAXATIONS} allowed without conditions, taken out of
     * every other rule first (Docker's conditional clone rule, its ENOSYS rule for clone3). Nothing
     * changes without a profile or when the default action already allows.
     */
    public static ObjectNode withEngineRelaxations(ObjectNode config) {
        ObjectNode out = config.deepCopy();
        JsonNode linux = out.get("linux");
        if (linux == null
                || !(linux.get("seccomp") instanceof ObjectNode seccomp)
                || "SCMP_ACT_ALLOW".equals(seccomp.path("defaultAction").asText())) {
            return out;
        }
        ArrayNode rules = withoutNames(seccomp, ENGINE_RELAXATIONS);
        ObjectNode rule = rules.addObject();
        ENGINE_RELAXATIONS.forEach(rule.putArray("names")::add);
        rule.put("action", "SCMP_ACT_ALLOW");
        return out;
    }

    private static ObjectNode seccompOf(ObjectNode config) {
        ObjectNode linux =
                config.get("linux") instanceof ObjectNode l ? l : config.putObject("linux");
        if (linux.get("seccomp") instanceof ObjectNode s) {
            return s;
        }
        ObjectNode s = linux.putObject("seccomp");
        s.put("defaultAction", "SCMP_ACT_ALLOW");
        ARCHITECTURES.forEach(s.putArray("architectures")::add);
        s.putArray("syscalls");
        return s;
    }

    /** The profile's rules with {@code names} removed from each; rules left empty are dropped. */
    private static ArrayNode withoutNames(ObjectNode seccomp, List<String> names) {
        ArrayNode rules =
                seccomp.get("syscalls") instanceof ArrayNode a ? a : seccomp.putArray("syscalls");
        Set<String> drop = Set.copyOf(names);
        for (Iterator<JsonNode> it = rules.elements(); it.hasNext(); ) {
            JsonNode rule = it.next();
            if (!(rule instanceof ObjectNode r)
                    || !(r.get("names") instanceof ArrayNode ruleNames)) {
                continue;
            }
            Set<String> kept = new LinkedHashSet<>();
            ruleNames.forEach(n -> kept.add(n.asText()));
            if (!kept.removeIf(drop::contains)) {
                continue;
            }
            if (kept.isEmpty()) {
                it.remove();
            } else {
                List<String> left = new ArrayList<>(kept);
                ArrayNode replaced = r.putArray("names");
                left.forEach(replaced::add);
            }
        }
        return rules;
    }
}
