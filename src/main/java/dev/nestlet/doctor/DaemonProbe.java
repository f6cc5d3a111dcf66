package dev.nestlet.doctor;

import com.fasterxml.jackson.databind.JsonNode;

/** Asks nestletd for its status; the CLI's socket client, given to doctor by the CLI. */
@FunctionalInterface
public interface DaemonProbe {
    /** The status operation's result; throws when nestletd cannot be reached or errs. */
    JsonNode status() throws Exception;
}
