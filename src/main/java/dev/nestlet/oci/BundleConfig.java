package dev.nestlet.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A bundle's config.json, kept as a JSON tree so that fields nestlet does not know survive an edit
 * untouched.
 */
public final class BundleConfig {
    public static final long MAX_BYTES = 4L << 20;
    private static final ObjectMapper JSON = Json.mapper();

    private final Path bundle;
    private final ObjectNode root;

    private BundleConfig(Path bundle, ObjectNode root) {
        this.bundle = bundle;
        this.root = root;
    }

    /** Reads {@code bundle/config.json}; every failure names the file and what is wrong with it. */
    public static BundleConfig read(Path bundle) throws BundleException {
        Path file = bundle.resolve("config.json");
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new BundleException(file + " is larger than " + MAX_BYTES + " bytes");
            }
            JsonNode node = JSON.readTree(file.toFile());
            if (!(node instanceof ObjectNode obj)) {
                throw new BundleException(file + " is not a JSON object");
            }
            return new BundleConfig(bundle, obj);
        } catch (NoSuchFileException e) {
            throw new BundleException(file + " does not exist");
        } catch (JsonProcessingException e) {
            throw new BundleException(file + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BundleException("cannot read " + file + ": " + e.getMessage());
        }
    }

    public ObjectNode json() {
        return root;
    }

    public Path bundle() {
        return bundle;
    }

    /**
     * The host path of the root filesystem (root.path, relative to the bundle when not absolute).
     */
    public Path rootfs() throws BundleException {
        JsonNode path = root.path("root").path("path");
        if (!path.isTextual() || path.asText().isEmpty()) {
            throw new BundleException(bundle.resolve("config.json") + " has no root.path");
        }
        return bundle.resolve(path.asText()).normalize();
    }
}
