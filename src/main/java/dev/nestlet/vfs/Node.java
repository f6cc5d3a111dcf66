package dev.nestlet.vfs;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A directory or file of the FUSE tree. The node id is the inode number; ids are never reused, so
 * a kernel that still holds the id of a removed container's node gets ENOENT, never another
 * container's file.
 *
 * @param view     the container the node belongs to (null for the root)
 * @param file     the virtual file (null for a directory)
 * @param children a directory's entries by name, fixed when the container's subtree is built
 * @param recent   a file's latest render, shared by the requests of one open (see {@link VirtualFs})
 */
record Node(long id, ContainerView view, VirtualFile file, Map<String, Node> children,
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

    /** Attributes; a file's size is the length of {@code content}, the render its open will read. */
    NodeAttr attr(Rendered content) {
        return isDirectory() ? new NodeAttr(id, 0, FuseProtocol.S_IFDIR | 0555, 2, view == null ? 0 : view.created())
                : new NodeAttr(id, content.bytes().length, FuseProtocol.S_IFREG | 0444, 1, view.created());
    }
}
