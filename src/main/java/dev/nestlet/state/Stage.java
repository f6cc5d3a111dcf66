package dev.nestlet.state;

import com.fasterxml.jackson.annotation.JsonValue;

/** How far nestlet got with a container. */
public enum Stage {
    /** nestlet-runtime prepared its bundle; the runtime has not run createRuntime yet. */
    PREPARED("prepared"),
    /** Registered at createRuntime; its mounts may be half done. */
    CREATING("creating"),
    /** Everything for createRuntime is in place. */
    RUNNING("running"),
    /** poststop (or the reconciler) is undoing it. */
    STOPPING("stopping");

    private final String json;

    Stage(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }
}
