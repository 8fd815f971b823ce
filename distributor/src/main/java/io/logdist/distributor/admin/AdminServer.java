package io.logdist.distributor.admin;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.logging.RateLimitedLog;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.transport.ListenFailure;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The admin HTTP endpoint ({@code --admin HOST:PORT}): the JSON API, {@code /metrics}, health
 * and readiness, and the dashboard at {@code /}. See {@link AdminRouter} for the endpoints.
 *
 * <p>Threads: connections are served by the given event loop group (the distributor's
 * acceptor loop); every request is handled on one admin thread ({@code ldp-admin}), which
 * may wait briefly on the control plane without holding up any event loop. The admin
 * thread also takes a sample of the traffic each second for rates and recent shares.
 * {@link #bind()} and {@link #close()} from any thread, once each.
 */
public final class AdminServer {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long SAMPLE_INTERVAL_MS = 1_000;

    private final HostPort listen;
    private final Transport transport;
    private final EventLoopGroup group;
    private final Distributor distributor;
    private final RateLimitedLog sampleWarnings = new RateLimitedLog(LOG, 60_000);
    private ScheduledExecutorService adminThread;
    private Channel channel;

    /** The admin endpoint of {@code distributor}; nothing runs until {@link #bind()}. */
    public AdminServer(HostPort listen, Transport transport, EventLoopGroup group, Distributor distributor) {
        this.listen = listen;
        this.transport = transport;
        this.group = group;
        this.distributor = distributor;
    }

    /** Starts the admin thread and binds; returns the bound address. */
    public InetSocketAddress bind() throws InterruptedException {
        adminThread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("ldp-admin", true));
        AdminRouter router = new AdminRouter(distributor);
        adminThread.scheduleAtFixedRate(() -> sample(router), 0, SAMPLE_INTERVAL_MS, TimeUnit.MILLISECONDS);
        ChannelFuture bind = new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), new AdminRequestAggregator(MAX_BODY_BYTES),
                        new AdminHttpHandler(router::handle, adminThread));
                }
            })
            .bind(listen.toSocketAddress());
        channel = ListenFailure.awaitBound(bind, "serve the admin API", listen).channel();
        return (InetSocketAddress) channel.localAddress();
    }

    private void sample(AdminRouter router) {
        try {
            router.sample();
        } catch (RuntimeException e) {
            // The next sample tries again; a failing one must not cancel the schedule.
            sampleWarnings.warn("admin-sample", "admin: traffic sample failed: {}", e.toString());
        }
    }

    /** Stops listening and stops the admin thread. */
    public void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (adminThread != null) {
            adminThread.shutdownNow();
            try {
                if (!adminThread.awaitTermination(2, TimeUnit.SECONDS)) {
                    LOG.warn("admin: the admin thread did not stop within 2 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
