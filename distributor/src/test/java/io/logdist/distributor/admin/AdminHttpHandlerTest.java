package io.logdist.distributor.admin;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdminHttpHandlerTest {
    @Test
    void shouldDecodeAPathAsAPathKeepingPlusSigns() {
        assertThat(AdminHttpHandler.segments("/api/analyzers/a+b")).containsExactly("api", "analyzers", "a+b");
        assertThat(AdminHttpHandler.segments("/api/analyzers/a%20b?x=1")).containsExactly("api", "analyzers", "a b");
    }

    @Test
    void shouldRefuseAMalformedEscape() {
        // The handler answers 400 for this rather than dropping the connection.
        assertThatThrownBy(() -> AdminHttpHandler.segments("/api/analyzers/a%zz")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AdminHttpHandler.segments("/api/analyzers/a%")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAnswerPipelinedRequestsInOrderRefusalsIncluded() {
        // The first waits on the admin thread; the second, refused on the spot, used to overtake it.
        ArrayDeque<Runnable> adminThread = new ArrayDeque<>();
        EmbeddedChannel ch = new EmbeddedChannel(
            new AdminHttpHandler(r -> Json.ok(Map.of("path", String.join("/", r.path()))), adminThread::add));

        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
            HttpMethod.GET, "/api/status"));
        ch.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1,
            HttpMethod.GET, "/api/%zz"));
        while (!adminThread.isEmpty()) {
            adminThread.poll().run();
        }
        ch.runPendingTasks();

        FullHttpResponse first = ch.readOutbound();
        FullHttpResponse second = ch.readOutbound();
        try {
            assertThat(first.status().code()).isEqualTo(200);
            assertThat(second.status().code()).isEqualTo(400);
        } finally {
            first.release();
            second.release();
            ch.finishAndReleaseAll();
        }
    }
}
