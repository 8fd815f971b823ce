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

    @Test
    void shouldAnswerABodyOverTheLimitInTurnAndInJson() {
        ArrayDeque<Runnable> adminThread = new ArrayDeque<>();
        EmbeddedChannel ch = new EmbeddedChannel(new io.netty.handler.codec.http.HttpServerCodec(),
            new AdminRequestAggregator(64 * 1024),
            new AdminHttpHandler(r -> Json.ok(Map.of("path", String.join("/", r.path()))), adminThread::add));

        ch.writeInbound(io.netty.buffer.Unpooled.copiedBuffer("GET /api/status HTTP/1.1\r\n\r\n"
            + "POST /api/analyzers HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n{",
            java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(ch.<Object>readOutbound()).as("nothing before the admin thread answers the first request").isNull();
        while (!adminThread.isEmpty()) {
            adminThread.poll().run();
        }
        ch.runPendingTasks();

        String out = drain(ch);
        assertThat(out).startsWith("HTTP/1.1 200 OK");
        int second = out.indexOf("HTTP/1.1 413");
        assertThat(second).as(out).isPositive();
        assertThat(out.substring(second)).contains("content-type: application/json").contains("over 64 KiB");
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
    }

    private static String drain(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        io.netty.buffer.ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(java.nio.charset.StandardCharsets.UTF_8));
            b.release();
        }
        return sb.toString();
    }
}
