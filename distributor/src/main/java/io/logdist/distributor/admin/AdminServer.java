package io.logdist.distributor.admin;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The admin HTTP endpoint. For now it serves {@code GET /health} and a JSON status at
 * {@code GET /api/status}; the full admin API builds on this handler.
 *
 * <p>Thread: handlers run on the admin loop; the status supplier must be thread-safe.
 */
public final class AdminServer {
    private final HostPort listen;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Supplier<String> statusJson;
    private Channel channel;

    public AdminServer(HostPort listen, Transport transport, EventLoopGroup group, Supplier<String> statusJson) {
        this.listen = listen;
        this.transport = transport;
        this.group = group;
        this.statusJson = statusJson;
    }

    public InetSocketAddress bind() throws InterruptedException {
        channel = new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Handler());
                }
            })
            .bind(listen.toSocketAddress()).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            FullHttpResponse res;
            if (!req.method().name().equals("GET")) {
                res = json(HttpResponseStatus.METHOD_NOT_ALLOWED, "{\"error\":\"method not allowed\",\"detail\":\"only GET is served here for now\"}");
            } else if (path.equals("/health")) {
                res = json(HttpResponseStatus.OK, "{\"status\":\"ok\"}");
            } else if (path.equals("/api/status")) {
                res = json(HttpResponseStatus.OK, statusJson.get());
            } else {
                res = json(HttpResponseStatus.NOT_FOUND, "{\"error\":\"not found\",\"detail\":\"" + path.replace("\"", "") + "\"}");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse json(HttpResponseStatus status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body + "\n", StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return res;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
