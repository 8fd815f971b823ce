package io.logdist.emitter;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * A distributor stand-in for tests: welcomes emitters, validates every PACKET (CRC,
 * layout, emitterId, window), records what it saw and ACKs cumulatively. It can be told
 * to NACK one sequence once, drop the first connection at its N-th packet, say GOODBYE,
 * delay or withhold ACKs, grant a smaller window or frame, and PING after WELCOME.
 *
 * <p>All its state lives on its single event loop; tests read it through
 * {@link #onLoop(Callable)} or the accessors built on it. Options are set before the
 * emitter connects.
 */
final class FakeDistributor implements AutoCloseable {
    /** One PACKET as received. */
    record Received(int connection, long emitterId, long sequence, int crc, int priority, int count, long payloadBytes,
                    List<String> messages, boolean lost, boolean nacked) {
    }

    /** One HELLO as received. */
    record Hello(int connection, long emitterId, long window, String name) {
    }

    // Options.
    volatile int grantWindowAtMost = Integer.MAX_VALUE;
    volatile int maxFrameLength = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH;
    volatile long nackOnceSequence = -1;
    /** On the first connection, the N-th packet is not ACKed and the connection is closed. */
    volatile int dropAtPacket = -1;
    /** With {@link #dropAtPacket}: the dropped packet was kept, so a reconnect's WELCOME counts it as held. */
    volatile boolean keepDroppedPacket;
    /** Like {@link #dropAtPacket}, but an ERROR frame goes out before the close. */
    volatile int errorAtPacket = -1;
    volatile int goodbyeAfterPackets = -1;
    volatile long ackDelayMs;
    volatile boolean neverAck;
    volatile boolean pingAfterWelcome;
    volatile boolean keepMessages;

    private final EventLoopGroup group;
    private final Channel server;

    // Event loop only.
    private final List<Received> packets = new ArrayList<>();
    private final List<Hello> hellos = new ArrayList<>();
    private final List<Long> pongs = new ArrayList<>();
    private final Map<Long, Ledger> ledgers = new HashMap<>();
    private final PacketFlyweight flyweight = new PacketFlyweight();
    private int connections;
    private int windowViolations;
    private int badPackets;
    private int duplicates;
    private int goodbyes;
    private int maxInFlight;
    private boolean nacked;

    /** What the fake holds for one emitterId, across its connections. */
    private static final class Ledger {
        final Set<Long> settled = new HashSet<>();
        long contiguous;
        long lastAcked;

        void settle(long sequence) {
            settled.add(sequence);
            while (settled.remove(contiguous + 1)) {
                contiguous++;
            }
        }

        boolean isSettled(long sequence) {
            return sequence <= contiguous || settled.contains(sequence);
        }
    }

    FakeDistributor() throws InterruptedException {
        this(0);
    }

    FakeDistributor(int port) throws InterruptedException {
        Transport transport = Transport.best();
        group = transport.newGroup(1, new DefaultThreadFactory("fake-distributor", true));
        server = new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new FrameDecoder(FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH), new Connection());
                }
            })
            .bind("127.0.0.1", port).sync().channel();
    }

    HostPort address() {
        return new HostPort("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort());
    }

    <T> T onLoop(Callable<T> c) {
        try {
            return group.next().submit(c).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    List<Received> packets() {
        return onLoop(() -> List.copyOf(packets));
    }

    /** Packets that were kept (not lost with a dropped connection). */
    List<Received> accepted() {
        return onLoop(() -> packets.stream().filter(p -> !p.lost() && !p.nacked()).toList());
    }

    int packetCount() {
        return onLoop(packets::size);
    }

    List<Hello> hellos() {
        return onLoop(() -> List.copyOf(hellos));
    }

    List<Long> pongs() {
        return onLoop(() -> List.copyOf(pongs));
    }

    int windowViolations() {
        return onLoop(() -> windowViolations);
    }

    int badPackets() {
        return onLoop(() -> badPackets);
    }

    int duplicates() {
        return onLoop(() -> duplicates);
    }

    int goodbyes() {
        return onLoop(() -> goodbyes);
    }

    int maxInFlight() {
        return onLoop(() -> maxInFlight);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** One emitter connection. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private int index;
        private long emitterId = -1;
        private int window;
        private long lastAckSent;
        private int packetsHere;
        private boolean dropped;
        private ScheduledFuture<?> pendingAck;
        private Ledger ledger;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            index = ++connections;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FrameError) {
                badPackets++;
                ctx.close();
                return;
            }
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (dropped) {
                    return;
                }
                switch (FrameReader.type(frame)) {
                    case HELLO -> onHello(ctx, FrameReader.hello(frame));
                    case PACKET -> onPacket(ctx, frame);
                    case PING -> ctx.writeAndFlush(Frames.pong(ctx.alloc(), FrameReader.u64Body(frame)));
                    case PONG -> pongs.add(FrameReader.u64Body(frame));
                    case GOODBYE -> goodbyes++;
                    default -> windowViolations++;
                }
            } finally {
                frame.release();
            }
        }

        private void onHello(ChannelHandlerContext ctx, FrameReader.Hello hello) {
            hellos.add(new Hello(index, hello.id(), hello.window(), hello.name()));
            emitterId = hello.id();
            window = (int) Math.min(hello.window(), grantWindowAtMost);
            ledger = ledgers.computeIfAbsent(emitterId, id -> new Ledger());
            long ackedThrough = keepDroppedPacket ? ledger.contiguous : ledger.lastAcked;
            lastAckSent = ackedThrough;
            ledger.lastAcked = Math.max(ledger.lastAcked, ackedThrough);
            ctx.write(Frames.welcome(ctx.alloc(), window, maxFrameLength, ackedThrough, "fake"));
            if (pingAfterWelcome) {
                ctx.write(Frames.ping(ctx.alloc(), 77));
            }
            ctx.flush();
        }

        private void onPacket(ChannelHandlerContext ctx, ByteBuf frame) {
            ByteBuf packet = FrameReader.packetOfPacketFrame(frame);
            flyweight.wrap(packet);
            if (flyweight.validate() != ErrorCode.NONE || flyweight.emitterId() != emitterId) {
                badPackets++;
                return;
            }
            long sequence = flyweight.sequence();
            packetsHere++;
            maxInFlight = (int) Math.max(maxInFlight, sequence - lastAckSent);
            if (sequence - lastAckSent > window) {
                windowViolations++;
            }
            boolean error = index == 1 && packetsHere == errorAtPacket;
            boolean drop = error || index == 1 && packetsHere == dropAtPacket;
            boolean refuse = sequence == nackOnceSequence && !nacked && !drop;
            List<String> messages = new ArrayList<>();
            if (keepMessages) {
                flyweight.forEachMessage((b, i, n) -> messages.add(b.toString(i, n, StandardCharsets.UTF_8)));
            }
            packets.add(new Received(index, emitterId, sequence, flyweight.crc(), flyweight.priority(),
                flyweight.count(), flyweight.payloadBytes(), messages, drop && !keepDroppedPacket, refuse));
            if (drop) {
                if (keepDroppedPacket) {
                    ledger.settle(sequence);
                }
                dropped = true;
                if (error) {
                    ctx.writeAndFlush(Frames.error(ctx.alloc(), ErrorCode.IDLE_TIMEOUT, "test says goodbye"))
                        .addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
                return;
            }
            if (ledger.isSettled(sequence)) {
                duplicates++;
            } else if (refuse) {
                nacked = true;
                ctx.write(Frames.nack(ctx.alloc(), sequence, ErrorCode.OVERLOADED, 20, "busy"));
            }
            ledger.settle(sequence);
            ack(ctx);
            if (index == 1 && packetsHere == goodbyeAfterPackets) {
                ctx.writeAndFlush(Frames.goodbye(ctx.alloc()));
            }
        }

        private void ack(ChannelHandlerContext ctx) {
            if (neverAck) {
                ctx.flush();
                return;
            }
            if (ackDelayMs == 0) {
                sendAck(ctx);
            } else if (pendingAck == null) {
                ctx.flush();
                pendingAck = ctx.executor().schedule(() -> {
                    pendingAck = null;
                    sendAck(ctx);
                }, ackDelayMs, TimeUnit.MILLISECONDS);
            }
        }

        private void sendAck(ChannelHandlerContext ctx) {
            if (!ctx.channel().isActive() || dropped) {
                return;
            }
            long through = ledger.contiguous;
            if (through > lastAckSent) {
                lastAckSent = through;
                ledger.lastAcked = Math.max(ledger.lastAcked, through);
                ctx.write(Frames.ack(ctx.alloc(), through));
            }
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
