package io.logdist.benchmarks.tools;

import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;

/**
 * The far end of the baseline in {@code scripts/bench.sh}: the cheapest LDP/1 peer that
 * keeps a real emitter (or a distributor) streaming. It WELCOMEs any HELLO and ACKs
 * cumulatively at the end of every read burst, and looks at nothing else: no CRC, no
 * shape check, no counting per emitter, no record file.
 *
 * <ul>
 *   <li>role 1 (an emitter, usually through HAProxy): each PACKET's {@code sequence} is
 *       read from the packet header; the burst's ACK carries the last one. Emitters send
 *       sequences in order, so that is a correct cumulative ACK.</li>
 *   <li>role 2 (a distributor): ACK of the last DELIVER's {@code deliveryId}; this turns
 *       the sink into an analyzer that does no work, to separate the distributor's cost
 *       from the analyzers'.</li>
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.logdist.benchmarks.tools.LdpSink --listen 127.0.0.1:7390
 * </pre>
 *
 * <p>Threads: {@code --threads} event loops; each connection's state is its handler's, on
 * its loop. The counters are {@link LongAdder}s read by the shutdown hook.
 */
@Command(name = "ldp-sink", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Minimal LDP/1 sink for baselines: WELCOMEs any HELLO, ACKs cumulatively, validates nothing.")
public final class LdpSink implements Callable<Integer> {
    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT", description = "Address to listen on.")
    HostPort listen;

    @Option(names = "--threads", defaultValue = "1", description = "Event loops (default ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--window", defaultValue = "65536", paramLabel = "N",
        description = "Largest window granted; WELCOME grants the smaller of this and HELLO's (default ${DEFAULT-VALUE}).")
    long maxWindow;

    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    public static void main(String[] args) {
        CommandLines.run(new LdpSink(), args);
    }

    @Override
    public Integer call() throws InterruptedException {
        Transport transport = Transport.best();
        EventLoopGroup boss = transport.newGroup(1, new DefaultThreadFactory("sink-accept"));
        EventLoopGroup workers = transport.newGroup(threads, new DefaultThreadFactory("sink-io"));
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameDecoder(FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH), new SinkHandler());
                    }
                })
                .bind(listen.toSocketAddress()).sync().channel();
            System.out.println("ldp-sink: listening on " + server.localAddress() + " (" + transport + ", " + threads + " loops)");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close().awaitUninterruptibly();
                System.out.println("ldp-sink: " + packets.sum() + " packets, " + bytes.sum() + " bytes");
                stopped.countDown();
            }, "sink-shutdown"));
            stopped.await();
            return 0;
        } finally {
            workers.shutdownGracefully();
            boss.shutdownGracefully();
        }
    }

    /** One connection: HELLO → WELCOME, then one cumulative ACK per read burst. One per channel, on its loop. */
    private final class SinkHandler extends ChannelInboundHandlerAdapter {
        private int role;
        private long last;
        private long acked;
        private long burstPackets;
        private long burstBytes;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FrameError) {
                ctx.close();
                return;
            }
            ByteBuf frame = (ByteBuf) msg;
            try {
                switch (FrameReader.type(frame)) {
                    case HELLO -> {
                        FrameReader.Hello hello = FrameReader.hello(frame);
                        role = hello.role();
                        ctx.write(Frames.welcome(ctx.alloc(), Math.min(hello.window(), maxWindow),
                            FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH, 0, "ldp-sink"), ctx.voidPromise());
                    }
                    case PACKET -> {
                        last = frame.getLong(FrameReader.bodyIndex(frame) + PacketDescriptor.SEQUENCE_OFFSET);
                        burstPackets++;
                        burstBytes += frame.readableBytes();
                    }
                    case DELIVER -> {
                        last = FrameReader.deliveryId(frame);
                        burstPackets++;
                        burstBytes += frame.readableBytes();
                    }
                    case PING -> ctx.write(Frames.pong(ctx.alloc(), FrameReader.u64Body(frame)), ctx.voidPromise());
                    default -> {
                        // GOODBYE, PONG, ERROR, anything else: nothing to answer.
                    }
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (role != 0 && last > acked) {
                acked = last;
                ctx.write(Frames.ack(ctx.alloc(), acked), ctx.voidPromise());
            }
            if (burstPackets > 0) {
                packets.add(burstPackets);
                bytes.add(burstBytes);
                burstPackets = 0;
                burstBytes = 0;
            }
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
