package dev.nestlet.oci;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** OCI hook stages, spelled as in config.json. */
public enum HookStage {
    PRESTART("prestart"),
    CREATE_RUNTIME("createRuntime"),
    CREATE_CONTAINER("createContainer"),
    START_CONTAINER("startContainer"),
    POSTSTART("poststart"),
    POSTSTOP("poststop");

    private final String json;

    HookStage(String json) {
        this.json = json;
    }

    @JsonValue
    public String json() {
        return json;
    }

    @JsonCreator
    public static HookStage of(String name) {
        for (HookStage s : values()) {
            if (s.json.equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown hook stage '" + name + "'");
    }
}
