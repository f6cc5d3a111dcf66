package dev.nestlet.idmap;

/**
 * A block of host ids given to one container: container ids 0..size-1 are host uids uidBase.. and
 * gids gidBase...
 */
public record IdRange(long uidBase, long gidBase, long size) {
    public IdRange {
        if (uidBase < 0 || gidBase < 0 || size <= 0) {
            throw new IllegalArgumentException(
                    "bad id range " + uidBase + "/" + gidBase + "+" + size);
        }
    }

    public boolean overlaps(IdRange o) {
        return overlaps(uidBase, size, o.uidBase, o.size)
                || overlaps(gidBase, size, o.gidBase, o.size);
    }

    static boolean overlaps(long a, long aSize, long b, long bSize) {
        return a < b + bSize && b < a + aSize;
    }

    @Override
    public String toString() {
        return uidBase == gidBase
                ? uidBase + "+" + size
                : "uid " + uidBase + ", gid " + gidBase + " +" + size;
    }
}
