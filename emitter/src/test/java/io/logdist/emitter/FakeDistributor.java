package io.logdist.emitter;

import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.PacketModel;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
 * layout, emitterId, window), records what it saw as {@link PacketModel} values and ACKs
 * cumulatively. It reads and writes frames as {@link FrameModel} values. It can be told
 * to NACK one sequence once, drop the first connection at its N-th packet, say GOODBYE,
 * delay or withhold ACKs, grant a smaller window or frame, and PING after WELCOME.
 *
 * <p>All its state lives on its single event loop; tests read it through
 * {@link #onLoop(Callable)} or the accessors built on it. Options are set before the
 * emitter connects.
 */
final class FakeDistributor implements AutoCloseable {
    /** One PACKET as received. */
    record Received(int connection, PacketModel packet, boolean lost, boolean nacked) {
        long emitterId() {
            return packet.emitterId();
        }

        long sequence() {
            return packet.sequence();
        }

        int priority() {
            return packet.priority();
        }

        int count() {
            return packet.messages().size();
        }

        long payloadBytes() {
            return packet.messages().stream().mapToLong(m -> m.length).sum();
        }

        /** The messages as UTF-8 text. */
        List<String> messages() {
            return packet.messages().stream().map(m -> new String(m, StandardCharsets.UTF_8)).toList();
        }
    }

    /** One HELLO as received. */
    record Hello(int connection, long emitterId, long window, String name) {
    }

    // Options.
    volatile int grantWindowAtMost = Integer.MAX_VALUE;
    /** Announced in WELCOME, and enforced on the connections made after it is set. */
    volatile int maxFrameLength = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH;
    /** With {@link #dropAtPacket}: the maxFrameLength from the drop on, like a distributor restarted with a lower one. */
    volatile int maxFrameLengthAfterDrop = -1;
    volatile long nackOnceSequence = -1;
    /**
     * With {@link #nackOnceSequence}: the refusal is remembered, so a reconnect's WELCOME stops
     * below it and its NACK follows, as the distributor does for a refusal within a window.
     */
    volatile boolean rememberRefusal;
    /** With {@link #dropAtPacket}: the fake forgets the emitter, like a distributor restarted without its ledgers. */
    volatile boolean forgetAtDrop;
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
    /**
     * With {@link #dropAtPacket}: the dropped packet was refused and its NACK lost with the
     * connection. The next WELCOME stops below it and a NACK for it follows (decision h).
     */
    volatile boolean nackLostWithConnection;
    /**
     * An earlier run of each emitterId this fake meets for the first time settled sequences
     * 1..{@code earlierRunThrough} except {@link #earlierRunRefused}, refused near the end:
     * WELCOME says held through {@code earlierRunRefused - 1}, and a NACK for it follows.
     */
    volatile long earlierRunThrough = -1;
    volatile long earlierRunRefused = -1;
    /** When set, HELLO is answered with this frame instead of WELCOME. */
    volatile FrameModel insteadOfWelcome;
    /** Codes of the ERROR frames emitters sent. */
    final java.util.Queue<Integer> errorsReceived = new java.util.concurrent.ConcurrentLinkedQueue<>();

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
        /** A sequence refused whose NACK the emitter may not have: NACKed again after each WELCOME; -1: none. */
        long refused = -1;

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
                    ch.pipeline().addLast(new FrameDecoder(maxFrameLength), new Connection());
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
            FrameModel f;
            try {
                if (dropped) {
                    return;
                }
                // The model refuses a packet that does not validate; the fake counts it instead.
                if (FrameReader.type(frame) == FrameType.PACKET && !isValidPacket(FrameReader.packetOfPacketFrame(frame))) {
                    badPackets++;
                    return;
                }
                f = FrameModel.read(frame);
            } finally {
                frame.release();
            }
            if (f instanceof FrameModel.Hello hello) {
                onHello(ctx, hello);
            } else if (f instanceof FrameModel.Packet p) {
                onPacket(ctx, p.packet());
            } else if (f instanceof FrameModel.Ping ping) {
                write(ctx, new FrameModel.Pong(ping.nonce()));
                ctx.flush();
            } else if (f instanceof FrameModel.Pong pong) {
                pongs.add(pong.nonce());
            } else if (f instanceof FrameModel.Goodbye) {
                goodbyes++;
            } else if (f instanceof FrameModel.Error error) {
                errorsReceived.add(error.code().value());
            } else {
                // No other frame may come from an emitter: counted with the violations tests expect to be zero.
                windowViolations++;
            }
        }

        private boolean isValidPacket(ByteBuf packet) {
            return flyweight.wrap(packet).validate() == ErrorCode.NONE;
        }

        private ChannelFuture write(ChannelHandlerContext ctx, FrameModel frame) {
            ByteBuf out = ctx.alloc().buffer();
            frame.writeTo(out);
            return ctx.write(out);
        }

        private void onHello(ChannelHandlerContext ctx, FrameModel.Hello hello) {
            hellos.add(new Hello(index, hello.id(), hello.window(), hello.name()));
            emitterId = hello.id();
            window = (int) Math.min(hello.window(), grantWindowAtMost);
            boolean met = ledgers.containsKey(emitterId);
            ledger = ledgers.computeIfAbsent(emitterId, id -> new Ledger());
            long refusedEarlier = -1;
            if (!met && earlierRunThrough > 0) {
                for (long q = 1; q <= earlierRunThrough; q++) {
                    ledger.settle(q); // a refused sequence is settled too: the cursor passes it
                }
                ledger.refused = earlierRunRefused;
            }
            if (ledger.refused > 0) {
                refusedEarlier = ledger.refused;
            }
            // A refusal the emitter may not know of keeps WELCOME below it (decision h).
            long ackedThrough = refusedEarlier > 0 ? Math.min(ledger.contiguous, refusedEarlier - 1)
                : keepDroppedPacket ? ledger.contiguous : ledger.lastAcked;
            lastAckSent = ackedThrough;
            ledger.lastAcked = Math.max(ledger.lastAcked, ackedThrough);
            FrameModel instead = insteadOfWelcome;
            if (instead != null) {
                write(ctx, instead);
                ctx.flush();
                return;
            }
            write(ctx, new FrameModel.Welcome(window, maxFrameLength, ackedThrough, "fake"));
            if (refusedEarlier > 0) {
                write(ctx, new FrameModel.Nack(refusedEarlier, ErrorCode.NO_ANALYZERS, 20, "refused on an earlier connection"));
            }
            if (pingAfterWelcome) {
                write(ctx, new FrameModel.Ping(77));
            }
            ctx.flush();
        }

        private void onPacket(ChannelHandlerContext ctx, PacketModel packet) {
            if (packet.emitterId() != emitterId) {
                badPackets++;
                return;
            }
            long sequence = packet.sequence();
            packetsHere++;
            maxInFlight = (int) Math.max(maxInFlight, sequence - lastAckSent);
            if (sequence - lastAckSent > window) {
                windowViolations++;
            }
            boolean error = index == 1 && packetsHere == errorAtPacket;
            boolean drop = error || index == 1 && packetsHere == dropAtPacket;
            boolean refuse = sequence == nackOnceSequence && !nacked && !drop;
            packets.add(new Received(index, packet, drop && !keepDroppedPacket, refuse));
            if (drop) {
                if (keepDroppedPacket) {
                    ledger.settle(sequence);
                }
                if (nackLostWithConnection) {
                    ledger.refused = sequence;
                    ledger.settle(sequence); // refused is settled: the cursor passes it
                }
                dropped = true;
                if (forgetAtDrop) {
                    ledgers.remove(emitterId);
                }
                if (maxFrameLengthAfterDrop > 0) {
                    maxFrameLength = maxFrameLengthAfterDrop;
                }
                if (error) {
                    write(ctx, new FrameModel.Error(ErrorCode.IDLE_TIMEOUT, "test says goodbye"))
                        .addListener(ChannelFutureListener.CLOSE);
                    ctx.flush();
                } else {
                    ctx.close();
                }
                return;
            }
            if (sequence == ledger.refused) {
                ledger.refused = -1; // the resend of a refused sequence is new (decision b)
            }
            if (ledger.isSettled(sequence)) {
                duplicates++;
            } else if (refuse) {
                nacked = true;
                if (rememberRefusal) {
                    ledger.refused = sequence;
                }
                write(ctx, new FrameModel.Nack(sequence, ErrorCode.OVERLOADED, 20, "busy"));
            }
            ledger.settle(sequence);
            ack(ctx);
            if (index == 1 && packetsHere == goodbyeAfterPackets) {
                write(ctx, new FrameModel.Goodbye());
                ctx.flush();
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
                write(ctx, new FrameModel.Ack(through));
            }
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
