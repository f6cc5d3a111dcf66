package dev.nestlet.seccomp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nestlet.json.Json;
import dev.nestlet.oci.OciState;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a runtime sends with the seccomp fd: the OCI "ContainerProcessState" (runc and crun both
 * send it as one JSON object with the fd in SCM_RIGHTS): {@code {"ociVersion", "fds":
 * ["seccompFd"], "pid", "metadata", "state": {OCI state}}}.
 *
 * @param pid the container process that installed the filter (host pid)
 * @param state the container's OCI state, as hooks receive it
 * @param fdIndex position of "seccompFd" in {@code fds}
 */
public record ProcessState(
        String ociVersion,
        List<String> fds,
        int pid,
        String metadata,
        OciState state,
        int fdIndex) {
    public static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = Json.mapper();

    /** Parses and checks the message; every failure says what is wrong. */
    public static ProcessState parse(byte[] message) {
        JsonNode n;
        try {
            n = JSON.readTree(new String(message, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "container process state is not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("container process state is not a JSON object");
        }
        JsonNode fdsNode = n.path("fds");
        if (!fdsNode.isArray()) {
            throw new IllegalArgumentException("container process state has no \"fds\" array");
        }
        List<String> fds = new java.util.ArrayList<>();
        fdsNode.forEach(f -> fds.add(f.asText()));
        int index = fds.indexOf("seccompFd");
        if (index < 0) {
            throw new IllegalArgumentException(
                    "container process state names no \"seccompFd\" in " + fds);
        }
        OciState state = null;
        JsonNode stateNode = n.path("state");
        if (stateNode.isObject()) {
            try {
                state = JSON.treeToValue(stateNode, OciState.class);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(
                        "container process state has a malformed state: " + e.getOriginalMessage());
            }
        }
        if (state == null || state.id() == null || state.id().isEmpty()) {
            throw new IllegalArgumentException("container process state has no state.id");
        }
        return new ProcessState(
                n.path("ociVersion").asText(""),
                List.copyOf(fds),
                n.path("pid").asInt(0),
                n.path("metadata").asText(""),
                state,
                index);
    }

    /** The container's id ({@code state.id}). */
    public String containerId() {
        return state.id();
    }

    /**
     * The container's init ({@code state.pid}), whose mount table names nestlet's mounts; 0 when
     * not given.
     */
    public int initPid() {
        return state.pid() == null ? 0 : state.pid();
    }

    /** True once {@code bytes} hold a whole JSON value (runc does not close its end right away). */
    public static boolean isComplete(byte[] bytes, int length) {
        int depth = 0;
        boolean inString = false;
        boolean escaped = false;
        boolean started = false;
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == '{' || b == '[') {
                depth++;
                started = true;
            } else if (b == '}' || b == ']') {
                depth--;
                if (started && depth == 0) {
                    return true;
                }
            }
        }
        return false;
    }
}
