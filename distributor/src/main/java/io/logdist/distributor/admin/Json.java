package io.logdist.distributor.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * JSON in and out of the admin API, and its error responses
 * ({@code {"error": "...", "detail": "..."}}).
 *
 * <p>Thread-safe (Jackson's {@link ObjectMapper} is, once configured).
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // {"weight":2} junk is a 400

    private Json() {
    }

    static AdminResponse ok(Object value) {
        return response(200, value);
    }

    static AdminResponse response(int status, Object value) {
        try {
            byte[] body = MAPPER.writeValueAsBytes(value);
            byte[] withNewline = java.util.Arrays.copyOf(body, body.length + 1);
            withNewline[body.length] = '\n';
            return AdminResponse.of(status, AdminResponse.JSON, withNewline);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    static AdminResponse error(int status, String error, String detail) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("error", error);
        m.put("detail", detail);
        return response(status, m);
    }

    static AdminResponse badRequest(String detail) {
        return error(400, "bad request", detail);
    }

    /**
     * Parses a request body that must be one JSON object.
     *
     * @throws BadRequest with a readable reason when it is not
     */
    static JsonNode object(String body) {
        if (body.isBlank()) {
            throw new BadRequest("the body is empty; send a JSON object");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequest("the body is not valid JSON: " + e.getOriginalMessage().split("\n")[0]);
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest("the body must be a JSON object");
        }
        return node;
    }

    /** A request the API refuses with 400 and this message; thrown only inside request parsing. */
    static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
