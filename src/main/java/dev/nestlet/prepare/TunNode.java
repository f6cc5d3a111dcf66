package dev.nestlet.prepare;

import dev.nestlet.sys.FileCalls;
import dev.nestlet.sys.SysException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The tun device node system containers get at /dev/net/tun: nestletd's own node (10:200, mode
 * 0666) in its state dir, made once, where the host has a tun device. Not the host's node: a user
 * namespace cannot mknod, so the runtime would bind the host's, and where that is mode 0600 (hosts
 * without udev's rule making it 0666) it is owned by `nobody` inside and nobody there can open it.
 * 0666 is what udev gives it on ordinary hosts: opening grants nothing; making an interface needs
 * CAP_NET_ADMIN over the caller's network namespace's owner.
 */
public final class TunNode {
    private static final Logger LOG = Logger.getLogger(TunNode.class.getName());
    private static final Path HOST = Path.of(SpecEditor.TUN);

    private final Path node;
    private Optional<Path> made;

    public TunNode(Path stateDir) {
        this.node = stateDir.resolve("devices").resolve("net-tun");
    }

    /**
     * The node to bind at /dev/net/tun, made on first use; empty where the host has no tun device
     * or the node cannot be made (nestletd itself in a user namespace), which is logged once.
     */
    public synchronized Optional<Path> node() {
        if (made == null) {
            made = make();
        }
        return made;
    }

    private Optional<Path> make() {
        if (!Files.exists(HOST)) {
            return Optional.empty();
        }
        try {
            // Not 0700: a runtime binds it from inside the container's user namespace, as the
            // container's root, which must be able to reach it.
            Files.createDirectories(node.getParent());
            if (isTun(node)) {
                return Optional.of(node); // an earlier nestletd's, maybe bound in containers
            }
            Files.deleteIfExists(node);
            FileCalls.mknodChar(node.toString(), 0600, 10, 200);
            // mknod's mode is less the umask; this one is meant for everyone.
            Files.setPosixFilePermissions(node, PosixFilePermissions.fromString("rw-rw-rw-"));
            return Optional.of(node);
        } catch (IOException | SysException e) {
            LOG.warning("no /dev/net/tun for system containers: cannot make " + node + ": " + e);
            return Optional.empty();
        }
    }

    /** Whether {@code p} is a character device 10:200 (not followed if a link). */
    static boolean isTun(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
        return (mode & 0170000) == FileCalls.S_IFCHR && rdev == ((10L << 8) | 200);
    }
}
