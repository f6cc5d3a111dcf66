package dev.nestlet.vfs.sysctl;

/**
 * One sysctl a system container gets a value of its own for.
 *
 * @param name the dotted name, as sysctl(8) and the documentation say it
 * @param path the kernel's file the virtual one is bound over inside the container
 * @param scope whose the kernel's value is: the host's, or the network namespace's
 * @param valueKey names the stored value; two files of one kernel variable share it
 *     (net.ipv4.ip_forward is net.ipv4.conf.all.forwarding)
 * @param raisable the operator may let containers raise the host's value (never lower it)
 */
public record SysctlSpec(
        String name,
        String path,
        SysctlSyntax syntax,
        Scope scope,
        String valueKey,
        boolean raisable) {

    /** Whose value the kernel's file holds. */
    public enum Scope {
        /** Global: virtual in every system container. */
        HOST,
        /**
         * Per network namespace: virtual only where the container does not own its network
         * namespace.
         */
        NETWORK
    }

    /** A sysctl under /proc/sys, its value stored under its own name. */
    static SysctlSpec proc(String name, SysctlSyntax syntax, Scope scope, boolean raisable) {
        return new SysctlSpec(
                name, "/proc/sys/" + name.replace('.', '/'), syntax, scope, name, raisable);
    }

    /** Another file of the kernel variable behind {@code main}. */
    static SysctlSpec alias(String name, SysctlSpec main) {
        return new SysctlSpec(
                name,
                "/proc/sys/" + name.replace('.', '/'),
                main.syntax(),
                main.scope(),
                main.valueKey(),
                main.raisable());
    }
}
