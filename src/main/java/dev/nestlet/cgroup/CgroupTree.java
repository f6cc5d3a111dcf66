package dev.nestlet.cgroup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Walks a cgroup and its descendants: the directories of a cgroup hierarchy are its cgroups. */
final class CgroupTree {
    private CgroupTree() {}

    /** The ids (one per line) in {@code file} of {@code dir} and of every cgroup below it. */
    static List<Integer> idsBelow(Path dir, String file) {
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.walk(dir)) {
            dirs.filter(Files::isDirectory)
                    .forEach(
                            d -> {
                                String text = CgroupText.readOptional(d.resolve(file));
                                if (text != null) {
                                    for (String line : text.split("\n")) {
                                        if (!line.isBlank()) {
                                            out.add(Integer.parseInt(line.trim()));
                                        }
                                    }
                                }
                            });
        } catch (NoSuchFileException | UncheckedIOException e) {
            // The cgroup (or a child) went away while walking: what was read is the answer.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
