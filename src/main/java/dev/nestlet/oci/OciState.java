package dev.nestlet.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.Map;

/**
 * The state a runtime passes to a hook on stdin (OCI runtime-spec "state"). Runtimes add fields of
 * their own, so unknown ones are tolerated here.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OciState(
        String ociVersion,
        String id,
        String status,
        Integer pid,
        String bundle,
        Map<String, String> annotations) {

    public OciState {
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public String annotation(String key) {
        return annotations.get(key);
    }
}
