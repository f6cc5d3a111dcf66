package dev.nestlet.engine;

import java.util.List;

/** The changes that register nestlet with an engine (none: it is registered) and what to tell. */
record Plan(List<FileChange> changes, List<String> notes) {
    Plan {
        changes = List.copyOf(changes);
        notes = List.copyOf(notes);
    }

    static Plan registered(String where) {
        return new Plan(List.of(), List.of("runtime nestlet is already registered in " + where));
    }
}
