package dev.nestlet.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.error.NestletException;

/**
 * A request's optional "output" field: the result as data for programs, or rendered by nestletd as
 * {@code {"text": ...}} that a client prints as it is. Rendering here keeps one renderer for every
 * client (the Java CLI and the C nestletctl print the same bytes).
 */
public enum Output {
    /** No "output": the result itself. */
    DATA,
    /** "text": the result for people, from {@link TextOperation#text}. */
    TEXT,
    /** "json": the result as indented JSON (what {@code nestletctl -o json} prints). */
    JSON;

    /** The output a request asks for; {@code field} is its "output" member, or null. */
    static Output of(JsonNode field) {
        if (field == null) {
            return DATA;
        }
        if (field.isTextual() && field.asText().equals("text")) {
            return TEXT;
        }
        if (field.isTextual() && field.asText().equals("json")) {
            return JSON;
        }
        throw new NestletException(
                ErrorCode.BAD_REQUEST, "\"output\" must be \"text\" or \"json\", not " + field);
    }
}
