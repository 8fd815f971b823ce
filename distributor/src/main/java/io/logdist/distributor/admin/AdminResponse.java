package io.logdist.distributor.admin;

import java.util.Map;

/**
 * One HTTP response of the admin API: status, content type, body bytes and extra headers.
 * Immutable.
 */
record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    AdminResponse {
        headers = Map.copyOf(headers);
    }

    static AdminResponse of(int status, String contentType, byte[] body) {
        return new AdminResponse(status, contentType, body, Map.of());
    }

    AdminResponse withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, h);
    }
}
