package io.logdist.distributor.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One per admin HTTP connection: copies each request out of its buffers (released by
 * {@link SimpleChannelInboundHandler} right after), hands it to the admin thread, and
 * writes the response from there. Requests of one connection are answered in order (the
 * admin thread is a single FIFO executor).
 *
 * <p>Thread: {@link #channelRead0} on the connection's event loop; the handling and the
 * write are submitted to the admin executor (Netty hands the write back to the loop).
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpHandler.class);

    private final Function<AdminRequest, AdminResponse> router;
    private final Executor adminThread;

    AdminHttpHandler(Function<AdminRequest, AdminResponse> router, Executor adminThread) {
        this.router = router;
        this.adminThread = adminThread;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg == AdminRequestAggregator.TOO_LARGE) {
            AdminRequestAggregator aggregator = ctx.pipeline().get(AdminRequestAggregator.class);
            String limit = aggregator == null ? "the limit" : aggregator.maxContentLength() / 1024 + " KiB";
            AdminResponse refused = Json.error(413, "payload too large", "the request body is over " + limit);
            answer(ctx, () -> refused, false); // the rest of the body is not read: close after answering
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        // Refusals too go through the admin thread: pipelined requests are answered in order.
        if (req.decoderResult().isFailure()) {
            AdminResponse refused = Json.badRequest("malformed HTTP request: " + req.decoderResult().cause().getMessage());
            answer(ctx, () -> refused, false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        List<String> path;
        try {
            path = segments(req.uri());
        } catch (IllegalArgumentException e) {
            AdminResponse refused = Json.error(400, "bad request", "the path has a malformed %-escape: " + e.getMessage());
            answer(ctx, () -> refused, keepAlive);
            return;
        }
        AdminRequest request = new AdminRequest(req.method().name(), path,
            req.content().toString(StandardCharsets.UTF_8), String.valueOf(ctx.channel().remoteAddress()));
        answer(ctx, () -> router.apply(request), keepAlive);
    }

    private void answer(ChannelHandlerContext ctx, Supplier<AdminResponse> response, boolean keepAlive) {
        try {
            adminThread.execute(() -> write(ctx, response.get(), keepAlive));
        } catch (RejectedExecutionException e) {
            write(ctx, Json.error(503, "shutting down", "the distributor is stopping"), false);
        }
    }

    /**
     * The path's segments, %-decoded as a path is: a '+' stays a '+'.
     *
     * @throws IllegalArgumentException on a malformed %-escape
     */
    static List<String> segments(String uri) {
        String raw = new QueryStringDecoder(uri).rawPath();
        List<String> out = new ArrayList<>();
        for (String s : raw.split("/")) {
            if (!s.isEmpty()) {
                out.add(QueryStringDecoder.decodeComponent(s.replace("+", "%2B")));
            }
        }
        return out;
    }

    private static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
            Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        for (Map.Entry<String, String> h : r.headers().entrySet()) {
            res.headers().set(h.getKey(), h.getValue());
        }
        HttpUtil.setKeepAlive(res, keepAlive);
        ChannelFuture f = ctx.writeAndFlush(res);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
