package dev.nestlet.vfs;

import dev.nestlet.vfs.fuse.FuseProtocol;
import dev.nestlet.vfs.fuse.NodeAttr;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A directory or file of the FUSE tree. The node id is the inode number; ids are never reused, so a
 * kernel that still holds the id of a removed container's node gets ENOENT, never another
 * container's file.
 *
 * @param view the container the node belongs to (null for the root)
 * @param file the virtual file (null for a directory)
 * @param children a directory's entries by name, fixed when the container's subtree is built
 * @param recent a file's latest render, shared by the requests of one open (see {@link VirtualFs})
 */
record Node(
        long id,
        ContainerView view,
        VirtualFile file,
        Map<String, Node> children,
        AtomicReference<Rendered> recent) {

    /** A file's content and when it was rendered ({@link System#nanoTime()}). */
    record Rendered(byte[] bytes, long at) {}

    static Node directory(long id, ContainerView view, Map<String, Node> children) {
        return new Node(id, view, null, children, null);
    }

    static Node file(long id, ContainerView view, VirtualFile file) {
        return new Node(id, view, file, Map.of(), new AtomicReference<>());
    }

    boolean isDirectory() {
        return file == null;
    }

    /**
     * Attributes; a file's size is the length of {@code content}, the render its open will read (0
     * without one: a LOOKUP's answer, which the kernel asks again before any use). A writable file
     * (a sysctl) is the container root's, 0644, as the kernel's sysctls of a namespace the
     * container owns are; everything else is host root's and read-only.
     */
    NodeAttr attr(Rendered content) {
        if (isDirectory()) {
            return new NodeAttr(
                    id, 0, FuseProtocol.S_IFDIR | 0555, 2, view == null ? 0 : view.created(), 0, 0);
        }
        long size = content == null ? 0 : content.bytes().length;
        return file instanceof WritableFile
                ? new NodeAttr(
                        id,
                        size,
                        FuseProtocol.S_IFREG | 0644,
                        1,
                        view.created(),
                        view.sysctls().uid(),
                        view.sysctls().gid())
                : new NodeAttr(id, size, FuseProtocol.S_IFREG | 0444, 1, view.created(), 0, 0);
    }
}
