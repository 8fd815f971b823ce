package io.logdist.distributor.ingest;

import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.loop.LoopContexts;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.transport.ListenFailure;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;

/**
 * The LDP listener for emitters: one {@link FrameDecoder} and one {@link EmitterSession}
 * per accepted connection, on the worker group's loops.
 *
 * <p>Thread: {@link #bind()} and {@link #close()} from any thread.
 */
public final class EmitterServer {
    private final DistributorConfig config;
    private final Transport transport;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final EmitterLedgers ledgers;
    private final LoopContexts contexts;
    private final RoutingTables tables;
    private final IngestStats stats;
    private final EmitterSessions sessions;
    private volatile Channel serverChannel;

    public EmitterServer(DistributorConfig config, Transport transport, EventLoopGroup boss, EventLoopGroup workers,
                         EmitterLedgers ledgers, LoopContexts contexts, RoutingTables tables, IngestStats stats, EmitterSessions sessions) {
        this.sessions = sessions;
        this.config = config;
        this.transport = transport;
        this.boss = boss;
        this.workers = workers;
        this.ledgers = ledgers;
        this.contexts = contexts;
        this.tables = tables;
        this.stats = stats;
    }

    /** Binds the listen address and returns the bound address (resolving port 0). */
    public InetSocketAddress bind() throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            // Netty 4.2's default (adaptive) allocator spent 17% of the CPU on fresh buffers it did not pool.
            .childOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(
                        new FrameDecoder(config.maxFrameLength()),
                        new EmitterSession(config, ledgers, contexts, tables, stats, sessions));
                }
            });
        serverChannel = ListenFailure.awaitBound(b.bind(config.listen().toSocketAddress()), "listen for emitters", config.listen())
            .channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** True while the listener is bound and open. Any thread. */
    public boolean listening() {
        Channel c = serverChannel;
        return c != null && c.isActive();
    }

    public void close() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }
}
