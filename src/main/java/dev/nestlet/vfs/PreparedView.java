package dev.nestlet.vfs;

import java.util.List;

/**
 * What prepare handed to the runtime of one container: the first node id of its stand-in view (its
 * own view takes the same ids, which the runtime's binds name) and the paths bound from
 * config.json.
 */
record PreparedView(long base, List<String> bound) {
    PreparedView {
        bound = List.copyOf(bound);
    }
}
