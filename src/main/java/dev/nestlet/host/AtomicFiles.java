package dev.nestlet.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Files nestlet rewrites whole (records, journals, sysctl values; a bundle's config.json has
 * prepare.BundleConfigWriter): the new text goes to a temporary file beside it, which is then
 * renamed over it, so a reader finds the old text or the new, never a mix. No fsync: a crash of the
 * machine takes the containers the files describe with it.
 */
public final class AtomicFiles {

    private AtomicFiles() {}

    /**
     * Writes {@code bytes} to {@code tmp} (in {@code file}'s directory) and renames it over {@code
     * file}.
     */
    public static void replace(Path file, Path tmp, byte[] bytes) throws IOException {
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
