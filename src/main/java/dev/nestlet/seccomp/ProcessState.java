package dev.nestlet.seccomp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a runtime sends with the seccomp fd: the OCI "ContainerProcessState" (runc and crun both
 * send it as one JSON object with the fd in SCM_RIGHTS): {@code {"ociVersion", "fds":
 * ["seccompFd"], "pid", "metadata", "state": {OCI state}}}.
 *
 * @param pid the container process that installed the filter (host pid)
 * @param initPid the container's init ({@code state.pid}), whose mount table names nestlet's mounts
 * @param fdIndex position of "seccompFd" in {@code fds}
 */
public record ProcessState(
        String ociVersion,
        List<String> fds,
        int pid,
        String metadata,
        String containerId,
        int initPid,
        String bundle,
        int fdIndex) {
    public static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

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
        JsonNode state = n.path("state");
        String id = state.path("id").asText("");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("container process state has no state.id");
        }
        return new ProcessState(
                n.path("ociVersion").asText(""),
                List.copyOf(fds),
                n.path("pid").asInt(0),
                n.path("metadata").asText(""),
                id,
                state.path("pid").asInt(0),
                state.path("bundle").asText(""),
                index);
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
