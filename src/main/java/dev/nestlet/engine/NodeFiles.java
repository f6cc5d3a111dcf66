package dev.nestlet.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The node's files as seen from here: a node path ({@code /etc/containerd/config.toml}) lives
 * beneath {@code root} (the installer of the DaemonSet sees the host at {@code /host}). Texts can
 * be overlaid, so a merge can be planned against the originals kept at install.
 */
final class NodeFiles {
    private final Path root;
    private final Map<String, Optional<String>> overlay = new HashMap<>();

    NodeFiles(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** Where a node path is from here. */
    Path host(String nodePath) {
        if (!nodePath.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + nodePath);
        }
        return root.resolve(nodePath.substring(1));
    }

    /** Plans as if {@code nodePath} held {@code text} (empty: absent). */
    void overlay(String nodePath, Optional<String> text) {
        overlay.put(nodePath, text);
    }

    /** The file's text (ISO-8859-1: byte for byte), empty when it does not exist. */
    Optional<String> read(String nodePath) throws IOException {
        if (overlay.containsKey(nodePath)) {
            return overlay.get(nodePath);
        }
        return readHost(host(nodePath));
    }

    static Optional<String> readHost(Path file) throws IOException {
        try {
            return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Node paths of the files in {@code dir} whose name matches the glob {@code pattern}. */
    List<String> glob(String dir, String pattern) throws IOException {
        List<String> out = new ArrayList<>();
        Path d = host(dir);
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (DirectoryStream<Path> s = Files.newDirectoryStream(d, pattern)) {
            for (Path p : s) {
                out.add(dir + "/" + p.getFileName());
            }
        }
        out.sort(null);
        return out;
    }
}
