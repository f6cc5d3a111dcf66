package dev.nestlet.prepare;

import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;
import java.util.regex.Pattern;

/**
 * An SELinux process label as an engine writes it into config.json's {@code process.selinuxLabel}:
 * {@code user:role:type}, then the level where the policy has MLS/MCS ({@code s0:c12,c34}, {@code
 * s0-s0:c0.c1023}: it may hold colons of its own, so everything after the third colon is the
 * level).
 *
 * @param level null when the label has none (a policy without MLS)
 */
record SelinuxLabel(String user, String role, String type, String level) {
    /** SELinux identifiers (users, roles, types): letters, digits, '_', '.', '-'. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /** Sensitivities and categories: {@code s0}, {@code s0-s15:c0.c1023}, {@code s0:c1,c2}. */
    private static final Pattern LEVEL = Pattern.compile("[A-Za-z0-9_.,:-]+");

    /** Parses {@code text}; a label the kernel could not take is a bad bundle, named as such. */
    static SelinuxLabel parse(String text) {
        String[] f = text.split(":", 4);
        if (f.length < 3
                || !NAME.matcher(f[0]).matches()
                || !NAME.matcher(f[1]).matches()
                || !NAME.matcher(f[2]).matches()
                || (f.length == 4 && !LEVEL.matcher(f[3]).matches())) {
            throw new NestletException(
                    ErrorCode.BAD_BUNDLE,
                    "config.json: /process/selinuxLabel must be user:role:type[:level], not \""
                            + text
                            + "\"");
        }
        return new SelinuxLabel(f[0], f[1], f[2], f.length == 4 ? f[3] : null);
    }

    SelinuxLabel withType(String newType) {
        return new SelinuxLabel(user, role, newType, level);
    }

    @Override
    public String toString() {
        return user + ":" + role + ":" + type + (level == null ? "" : ":" + level);
    }
}
