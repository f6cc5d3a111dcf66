package dev.nestlet.idmap;

/** A run of host uids (or gids): one line of a subuid file or of a uid_map. */
public record IdSpan(boolean uids, long start, long count) {
    public boolean overlaps(IdRange r) {
        return IdRange.overlaps(start, count, uids ? r.uidBase() : r.gidBase(), r.size());
    }
}
