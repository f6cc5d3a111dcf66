package dev.nestlet.seccomp;

import java.util.Optional;

/**
 * The name of something the seccomp agent keeps in the fd store. A listener fd: {@code
 * seccomp/PID/SEQ/CONTAINER} (the process that loaded the filter, a sequence number unique to this
 * receipt, the container id). A runtime's connection whose message is not read yet: {@code
 * seccomp/conn/SEQ}, the same SEQ its listener fd gets once kept, so that a nestletd finding both
 * knows the connection was already read.
 *
 * @param pid the process of a listener fd; 0 for a connection
 * @param containerId empty for a connection
 */
record StoreName(boolean connection, int pid, long seq, String containerId) {
    static final String PREFIX = "seccomp/";
    private static final String CONNECTION = "conn";

    static StoreName listener(int pid, long seq, String containerId) {
        return new StoreName(false, pid, seq, containerId);
    }

    static StoreName connection(long seq) {
        return new StoreName(true, 0, seq, "");
    }

    /** Empty for a name not under {@link #PREFIX} or not of either form. */
    static Optional<StoreName> parse(String name) {
        if (!name.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String[] parts = name.substring(PREFIX.length()).split("/", 3);
        try {
            if (parts.length == 2 && parts[0].equals(CONNECTION)) {
                return Optional.of(connection(Long.parseLong(parts[1])));
            }
            int pid = Integer.parseInt(parts[0]);
            if (parts.length == 3 && pid >= 0 && !parts[2].isEmpty()) {
                return Optional.of(listener(pid, Long.parseLong(parts[1]), parts[2]));
            }
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return connection
                ? PREFIX + CONNECTION + "/" + seq
                : PREFIX + pid + "/" + seq + "/" + containerId;
    }
}
