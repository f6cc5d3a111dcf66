package dev.nestlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering that docs/architecture.md's table states, checked on every main source file: a
 * package imports (or names in full) only packages of a lower layer, and only {@code sys} touches
 * jnr. The table is read from the doc, so the doc and the check cannot drift apart.
 */
class ArchitectureTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/nestlet");
    private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| `([a-z.]+)` \\|");
    private static final Pattern OWN_REF =
            Pattern.compile("\\bdev\\.nestlet\\.([a-z][a-z0-9]*(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");
    private static final Pattern JNR =
            Pattern.compile("^import (static )?jnr\\.", Pattern.MULTILINE);

    private static Map<String, Integer> layers() throws IOException {
        Map<String, Integer> layers = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of("docs/architecture.md"))) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                layers.put(m.group(2), Integer.parseInt(m.group(1)));
            }
        }
        return layers;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
    }

    private static String packageOf(Path file) {
        return SOURCES.relativize(file.getParent()).toString().replace('/', '.');
    }

    @Test
    void everyPackageIsInTheTable() throws IOException {
        Map<String, Integer> layers = layers();
        List<String> missing = new ArrayList<>();
        for (Path f : sources()) {
            if (!layers.containsKey(packageOf(f)) && !missing.contains(packageOf(f))) {
                missing.add(packageOf(f));
            }
        }
        assertEquals(List.of(), missing, "packages docs/architecture.md does not place in a layer");
        for (String p : layers.keySet()) {
            assertTrue(
                    Files.isDirectory(SOURCES.resolve(p.replace('.', '/'))),
                    "docs/architecture.md names " + p + ", which does not exist");
        }
    }

    @Test
    void packagesImportOnlyLowerLayers() throws IOException {
        Map<String, Integer> layers = layers();
        List<String> violations = new ArrayList<>();
        for (Path f : sources()) {
            String own = packageOf(f);
            Integer ownLayer = layers.get(own);
            if (ownLayer == null) {
                continue; // reported by everyPackageIsInTheTable
            }
            Matcher m = OWN_REF.matcher(Files.readString(f));
            while (m.find()) {
                String used = m.group(1);
                if (used.equals(own)) {
                    continue;
                }
                Integer usedLayer = layers.get(used);
                if (usedLayer == null || usedLayer >= ownLayer) {
                    violations.add(
                            SOURCES.relativize(f)
                                    + " (layer "
                                    + ownLayer
                                    + ") uses "
                                    + used
                                    + " (layer "
                                    + usedLayer
                                    + ")");
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void onlySysTouchesJnr() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Path f : sources()) {
            if (!packageOf(f).equals("sys") && JNR.matcher(Files.readString(f)).find()) {
                violations.add(SOURCES.relativize(f).toString());
            }
        }
        assertEquals(List.of(), violations);
    }
}
