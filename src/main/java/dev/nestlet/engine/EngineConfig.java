package dev.nestlet.engine;

import java.io.IOException;

/** One engine's way of registering nestlet in its config, by inserting text into it. */
interface EngineConfig {
    /**
     * What to insert into the node's files so that the engine knows runtime {@code nestlet} ({@code
     * config}: the node path of the engine's config, or its drop-in).
     *
     * @throws IllegalArgumentException when a file cannot be edited safely (the message says why)
     */
    Plan plan(NodeFiles files, String config, Layout layout) throws IOException;
}
