package io.logdist.distributor.admin;

import java.util.List;

/**
 * One HTTP request to the admin API, copied out of Netty's buffers on the admin event
 * loop so that it can be handled on the admin thread.
 *
 * @param method   upper-case HTTP method
 * @param segments the path's segments, percent-decoded ({@code /api/analyzers/a1} is
 *                 {@code [api, analyzers, a1]}; {@code /} is empty)
 * @param body     the body as UTF-8 text (empty when none)
 * @param remote   the client's address, for the log
 */
record AdminRequest(String method, List<String> segments, String body, String remote) {
    String path() {
        return "/" + String.join("/", segments);
    }
}
