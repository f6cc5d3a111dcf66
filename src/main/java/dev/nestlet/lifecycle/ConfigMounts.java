package dev.nestlet.lifecycle;

import java.util.List;
import java.util.function.Predicate;

/**
 * A feature whose mounts the runtime can make itself on the nestlet-runtime path: prepare asks for
 * them before it writes config.json, so the runtime makes them in its own mount pass, and the
 * feature's createRuntime leaves them out. What the runtime cannot mount from config.json stays
 * with createRuntime.
 */
public interface ConfigMounts {
    /**
     * Readies what container {@code id}'s binds need before the runtime reads config.json and
     * returns them. {@code present} tells whether a path will be there inside the container when
     * the runtime mounts (a bind onto a missing target would make the runtime create it).
     */
    List<ConfigBind> configBinds(String id, Predicate<String> present) throws Exception;
}
