package dev.nestlet.idmap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host ids nestlet may hand out, cut into blocks of {@code blockSize}, and the ranges that
 * belong to others (their subordinate ids), which no block may touch. Built from a {@code
 * nestlet:START:COUNT} entry in subuid and subgid files, or from an explicit range.
 */
public final class IdPool {
    private final List<IdRange> blocks;
    private final long blockSize;
    private final String source;

    IdPool(List<IdRange> blocks, List<IdSpan> neighbours, long blockSize, String source) {
        this.blocks = List.copyOf(blocks);
        this.blockSize = blockSize;
        this.source = source;
        for (IdRange b : blocks) {
            for (IdSpan n : neighbours) {
                if (n.overlaps(b)) {
                    throw new IllegalArgumentException(
                            "id pool from "
                                    + source
                                    + " overlaps "
                                    + n
                                    + ", which belongs to another user");
                }
            }
        }
    }

    /** An explicit pool: {@code count} ids from {@code uidStart} (and gidStart). */
    public static IdPool explicit(long uidStart, long gidStart, long count, long blockSize) {
        return new IdPool(
                cut(uidStart, gidStart, count, blockSize),
                List.of(),
                blockSize,
                "--id-pool " + uidStart + ":" + gidStart + ":" + count);
    }

    /**
     * The pool of {@code user} in subuid and subgid files: its entries in both (paired in order,
     * same counts); every other user's entries are neighbours. Empty when the user has no entry.
     */
    public static IdPool fromSubIdFiles(Path subuid, Path subgid, String user, long blockSize)
            throws IOException {
        List<long[]> uids = entries(subuid, user, true);
        List<long[]> gids = entries(subgid, user, true);
        if (uids.size() != gids.size()) {
            throw new IllegalArgumentException(
                    user
                            + " has "
                            + uids.size()
                            + " entries in "
                            + subuid
                            + " but "
                            + gids.size()
                            + " in "
                            + subgid);
        }
        List<IdRange> blocks = new ArrayList<>();
        for (int i = 0; i < uids.size(); i++) {
            if (uids.get(i)[1] != gids.get(i)[1]) {
                throw new IllegalArgumentException(
                        "entry "
                                + (i + 1)
                                + " of "
                                + user
                                + " has "
                                + uids.get(i)[1]
                                + " uids but "
                                + gids.get(i)[1]
                                + " gids");
            }
            blocks.addAll(cut(uids.get(i)[0], gids.get(i)[0], uids.get(i)[1], blockSize));
        }
        List<IdSpan> others = new ArrayList<>();
        for (long[] e : entries(subuid, user, false)) {
            others.add(new IdSpan(true, e[0], e[1]));
        }
        for (long[] e : entries(subgid, user, false)) {
            others.add(new IdSpan(false, e[0], e[1]));
        }
        return new IdPool(
                blocks, others, blockSize, subuid + " and " + subgid + " (user " + user + ")");
    }

    /** START:COUNT entries of {@code user} (mine) or of everyone else (!mine). */
    private static List<long[]> entries(Path file, String user, boolean mine) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<long[]> out = new ArrayList<>();
        for (String line : lines) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            String[] f = t.split(":");
            if (f.length != 3) {
                throw new IllegalArgumentException(file + ": malformed line '" + t + "'");
            }
            if (f[0].equals(user) == mine) {
                out.add(new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        return out;
    }

    /**
     * The lowest host id a pool or an adopted mapping may contain: host root (0) never goes to a
     * system container, which gets every capability, writable /proc/sys and cgroups inside.
     */
    public static final long HOST_ID_FLOOR = 1;

    /**
     * Whether {@code count} ids from {@code start} include a host id below {@link #HOST_ID_FLOOR}.
     */
    public static boolean belowFloor(long start, long count) {
        return count > 0 && start < HOST_ID_FLOOR;
    }

    private static List<IdRange> cut(long uidStart, long gidStart, long count, long blockSize) {
        if (belowFloor(uidStart, count) || belowFloor(gidStart, count)) {
            throw new IllegalArgumentException(
                    "an id pool may not contain host uid or gid 0 (pool starts at uid "
                            + uidStart
                            + ", gid "
                            + gidStart
                            + "; the lowest allowed is "
                            + HOST_ID_FLOOR
                            + ")");
        }
        List<IdRange> out = new ArrayList<>();
        for (long off = 0; off + blockSize <= count; off += blockSize) {
            out.add(new IdRange(uidStart + off, gidStart + off, blockSize));
        }
        return out;
    }

    public List<IdRange> blocks() {
        return blocks;
    }

    public long blockSize() {
        return blockSize;
    }

    public String source() {
        return source;
    }

    /**
     * True when {@code span} overlaps one of the pool's blocks: a mapping nestlet adopts must not.
     */
    public boolean overlapsPool(IdSpan span) {
        return blocks.stream().anyMatch(span::overlaps);
    }
}
