package dev.nestlet.engine;

import java.util.List;

/**
 * What {@code engine install} did, kept in {@code ROOT/var/lib/nestlet/engines/ENGINE/record.json}
 * beside each original file ({@code N.orig}): enough to put every byte back.
 *
 * @param config the --config of the install (what status and uninstall look at)
 * @param prefix the --prefix of the install
 * @param files one entry per file written, in order ({@code N} is the index)
 * @param createdDirs directories made for the files, deepest first (removed when empty)
 */
record InstallRecord(String config, String prefix, List<Entry> files, List<String> createdDirs) {
    InstallRecord {
        files = List.copyOf(files);
        createdDirs = List.copyOf(createdDirs);
    }

    /** A file written: whether it existed, and what was inserted into its original text. */
    record Entry(String path, boolean existed, List<Insertion> insertions) {
        Entry {
            insertions = List.copyOf(insertions);
        }
    }
}
