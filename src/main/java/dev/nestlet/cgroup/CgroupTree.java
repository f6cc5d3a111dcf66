package dev.nestlet.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Walks a cgroup and its descendants: the directories of a cgroup hierarchy are its cgroups. */
final class CgroupTree {
    private CgroupTree() {}

    /** The ids (one per line) in {@code file} of {@code dir} and of every cgroup below it. */
    static List<Integer> idsBelow(Path dir, String file) {
        List<Integer> out = new ArrayList<>();
        try {
            collect(dir, file, out);
        } catch (NoSuchFileException | UncheckedIOException e) {
            // The cgroup (or a child) went away while walking: what was read is the answer.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * kernfs gives a directory 2 + its subdirectories as its link count, so a cgroup without
     * children (most containers' own) costs one stat, not one per control file: stat'ing every
     * entry was most of the load sampler's CPU with 100 idle containers. (A file system that counts
     * no subdirectories, link count 1 as on btrfs, gets every entry looked at.)
     */
    private static void collect(Path dir, String file, List<Integer> out) throws IOException {
        String text = CgroupText.readOptional(dir.resolve(file));
        if (text != null) {
            for (String line : text.split("\n")) {
                if (!line.isBlank()) {
                    out.add(Integer.parseInt(line.trim()));
                }
            }
        }
        int links = (Integer) Files.getAttribute(dir, "unix:nlink");
        if (links == 2) {
            return;
        }
        int children = links > 2 ? links - 2 : Integer.MAX_VALUE;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                if (children == 0) {
                    break;
                }
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    children--;
                    try {
                        collect(entry, file, out);
                    } catch (NoSuchFileException e) {
                        // that child went away: its siblings still count
                    }
                }
            }
        }
    }
}
