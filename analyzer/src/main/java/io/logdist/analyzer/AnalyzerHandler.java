package io.logdist.analyzer;

import io.logdist.analyzer.record.RecordAppender;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.codec.MalformedFrameException;
import io.logdist.protocol.packet.PacketFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One distributor connection to the analyzer: the LDP/1 acceptor side.
 *
 * <pre>
 *   AWAITING_HELLO --HELLO (role 2)--> OPEN --GOODBYE--> DRAINING
 *        |                              |                   |
 *        +-- anything else, timeout ----+-- violation, -----+--> CLOSED
 *                                           peer ERROR, close
 * </pre>
 *
 * <p>Frames answered within a read burst (WELCOME, NACK, PONG) are gathered in one buffer;
 * at the end of the burst ({@link #channelReadComplete}) the record entries of the burst
 * are written to the record file, then one cumulative ACK is appended and everything is
 * flushed once. So an ACK never covers a packet whose record is not in the file.
 *
 * <p>One instance per channel; every method runs on the server's single event loop, the
 * same thread for all connections, which is what lets them share {@link AnalyzerCounters}
 * and the {@link RecordAppender} without locks.
 */
final class AnalyzerHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerHandler.class);

    private enum State { AWAITING_HELLO, OPEN, DRAINING, CLOSED }

    private final AnalyzerConfig config;
    private final AnalyzerCounters counters;
    private final RecordAppender records;
    private final Duration helloTimeout;
    private final PacketFlyweight packet = new PacketFlyweight();

    private State state = State.AWAITING_HELLO;
    private ScheduledFuture<?> helloTimer;
    private String peer = "?";
    private long grantedWindow;
    /** Highest deliveryId accepted or NACKed: settled once the next ACK goes out. */
    private long settledThrough;
    /** The {@code through} of the last ACK sent. */
    private long ackedThrough;
    private boolean reportedBadPacket;
    /** Frames written during the current burst, flushed at its end; null when none. */
    private ByteBuf pendingOut;

    /**
     * @param records the record file, or null when the analyzer keeps none
     */
    AnalyzerHandler(AnalyzerConfig config, AnalyzerCounters counters, RecordAppender records, Duration helloTimeout) {
        this.config = config;
        this.counters = counters;
        this.records = records;
        this.helloTimeout = helloTimeout;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        peer = String.valueOf(ctx.channel().remoteAddress());
        helloTimer = ctx.executor().schedule(
            () -> fail(ctx, ErrorCode.PROTOCOL_VIOLATION, "no HELLO within " + helloTimeout.toMillis() + " ms"),
            helloTimeout.toNanos(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FrameError error) {
            fail(ctx, error.code(), error.reason());
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (state != State.CLOSED) {
                onFrame(ctx, frame);
            }
        } catch (MalformedFrameException e) {
            fail(ctx, e.code(), e.getMessage());
        } catch (IOException e) {
            onRecordFailure(ctx, e);
        } finally {
            frame.release();
        }
    }

    private void onFrame(ChannelHandlerContext ctx, ByteBuf frame) throws IOException {
        FrameType type = FrameReader.type(frame);
        switch (state) {
            case AWAITING_HELLO -> {
                if (type == FrameType.HELLO) {
                    onHello(ctx, frame);
                } else {
                    fail(ctx, ErrorCode.PROTOCOL_VIOLATION, "expected HELLO first, got " + type);
                }
            }
            case OPEN, DRAINING -> {
                switch (type) {
                    case DELIVER -> onDeliver(ctx, frame);
                    case PING -> Frames.writePong(out(ctx), FrameReader.u64Body(frame));
                    case GOODBYE -> {
                        FrameReader.checkEmptyBody(frame);
                        LOG.info("{} {}: said GOODBYE", config.name(), peer);
                        state = State.DRAINING;
                    }
                    case ERROR -> onPeerError(ctx, FrameReader.error(frame));
                    default -> fail(ctx, ErrorCode.PROTOCOL_VIOLATION, type + " is not allowed on a connection to an analyzer");
                }
            }
            default -> throw new IllegalStateException("frame in state " + state);
        }
    }

    private void onHello(ChannelHandlerContext ctx, ByteBuf frame) {
        FrameReader.Hello hello = FrameReader.hello(frame);
        if (hello.role() != Frames.ROLE_DISTRIBUTOR) {
            fail(ctx, ErrorCode.PROTOCOL_VIOLATION,
                "HELLO role " + hello.role() + " cannot connect to an analyzer (only role 2, a distributor)");
            return;
        }
        if (records != null && records.failure() != null) {
            // Every DELIVER would be dropped unacknowledged: a connection taken now only flaps.
            fail(ctx, ErrorCode.SHUTTING_DOWN, "this analyzer cannot record anything (" + records.failure().getMessage() + ")");
            return;
        }
        if (hello.window() == 0) {
            fail(ctx, ErrorCode.PROTOCOL_VIOLATION, "HELLO asks for a window of 0, which could carry no DELIVER");
            return;
        }
        helloTimer.cancel(false);
        grantedWindow = Math.min(hello.window(), config.window());
        peer = "distributor '" + hello.name() + "' (id " + Long.toUnsignedString(hello.id()) + ") at " + ctx.channel().remoteAddress();
        state = State.OPEN;
        Frames.writeWelcome(out(ctx), grantedWindow, config.maxFrameLength(), 0, config.name());
        LOG.info("{}: {} connected, window {}", config.name(), peer, grantedWindow);
    }

    private void onDeliver(ChannelHandlerContext ctx, ByteBuf frame) throws IOException {
        long deliveryId = FrameReader.deliveryId(frame);
        if (state == State.DRAINING) {
            fail(ctx, ErrorCode.PROTOCOL_VIOLATION, "DELIVER " + deliveryId + " after GOODBYE");
            return;
        }
        if (deliveryId != settledThrough + 1) {
            fail(ctx, ErrorCode.PROTOCOL_VIOLATION,
                "deliveryId " + Long.toUnsignedString(deliveryId) + " out of order, expected " + (settledThrough + 1));
            return;
        }
        // The sender cannot have seen more ACKs than were sent, so this never blames a
        // sender that kept to its window.
        if (deliveryId - ackedThrough > grantedWindow) {
            fail(ctx, ErrorCode.PROTOCOL_VIOLATION,
                "DELIVER " + deliveryId + " is over the window of " + grantedWindow + " (acked through " + ackedThrough + ")");
            return;
        }
        settledThrough = deliveryId;
        // The flyweight reads the packet where it lies in the frame: no slice per DELIVER.
        packet.wrap(frame, FrameReader.deliverPacketIndex(frame), FrameReader.deliverPacketLength(frame));
        ErrorCode verdict = packet.validate();
        if (verdict != ErrorCode.NONE) {
            onBadPacket(ctx, deliveryId, verdict);
            return;
        }
        long emitterId = packet.emitterId();
        long sequence = packet.sequence();
        int count = packet.count();
        counters.onPacket(emitterId, sequence, count, packet.priority(), packet.payloadBytes());
        if (records != null) {
            records.append(emitterId, sequence, count, WallClock.nowMicros());
        }
    }

    private void onBadPacket(ChannelHandlerContext ctx, long deliveryId, ErrorCode verdict) {
        counters.onBadPacket();
        String reason = verdict == ErrorCode.BAD_CHECKSUM
            ? "packet CRC-32C does not match its bytes"
            : "packet is malformed: count is 0 or its messages do not fill it exactly";
        Frames.writeNack(out(ctx), deliveryId, verdict, 0, reason);
        // One line per connection: a stream of bad packets must not flood the log.
        if (!reportedBadPacket) {
            reportedBadPacket = true;
            LOG.warn("{}: {}: DELIVER {}: {} (NACKed; further bad packets are only counted)", config.name(), peer, deliveryId, reason);
        }
    }

    private void onPeerError(ChannelHandlerContext ctx, FrameReader.Error error) {
        LOG.warn("{}: {} sent ERROR {} ({}): {}; closing", config.name(), peer, error.rawCode(), error.code(), error.reason());
        closeQuietly(ctx);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state != State.CLOSED && flushBurst(ctx)) {
            ctx.flush();
        }
    }

    /**
     * Ends a burst: records to the file, then the ACK, then writes the burst's frames
     * (the caller flushes). Returns false when the connection was closed instead.
     */
    private boolean flushBurst(ChannelHandlerContext ctx) {
        // After AnalyzerServer.close() the channel is already closed: ACK nothing more.
        if (!ctx.channel().isActive()) {
            return false;
        }
        if (settledThrough != ackedThrough) {
            if (records != null) {
                try {
                    records.flush();
                } catch (IOException e) {
                    onRecordFailure(ctx, e);
                    return false;
                }
            }
            Frames.writeAck(out(ctx), settledThrough);
            ackedThrough = settledThrough;
        }
        if (pendingOut != null) {
            ByteBuf out = pendingOut;
            pendingOut = null;
            ctx.write(out, ctx.voidPromise());
        }
        return true;
    }

    /**
     * Answers a broken contract: ACKs what was settled (its records are safe), sends
     * ERROR and closes.
     */
    private void fail(ChannelHandlerContext ctx, ErrorCode code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        LOG.warn("{}: {}: {} ({}); closing", config.name(), peer, reason, code);
        if (!flushBurst(ctx)) {
            closeQuietly(ctx);
            return;
        }
        state = State.CLOSED;
        cancelHelloTimer();
        ctx.writeAndFlush(Frames.error(ctx.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** A record entry could not be written: ACK nothing more, drop the connection. */
    private void onRecordFailure(ChannelHandlerContext ctx, IOException e) {
        if (state != State.CLOSED) {
            LOG.error("{}: {}; dropping {} without ACK", config.name(), e.getMessage(), peer);
        }
        closeQuietly(ctx);
    }

    private void closeQuietly(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        cancelHelloTimer();
        releasePending();
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state != State.CLOSED && state != State.AWAITING_HELLO) {
            LOG.info("{}: {} disconnected (settled through deliveryId {})", config.name(), peer, settledThrough);
        }
        state = State.CLOSED;
        cancelHelloTimer();
        releasePending();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.info("{}: {}: connection lost: {}", config.name(), peer, cause.getMessage());
        } else {
            LOG.warn("{}: {}: unexpected failure; closing", config.name(), peer, cause);
        }
        closeQuietly(ctx);
    }

    private ByteBuf out(ChannelHandlerContext ctx) {
        if (pendingOut == null) {
            pendingOut = ctx.alloc().buffer(256);
        }
        return pendingOut;
    }

    private void releasePending() {
        if (pendingOut != null) {
            pendingOut.release();
            pendingOut = null;
        }
    }

    private void cancelHelloTimer() {
        if (helloTimer != null) {
            helloTimer.cancel(false);
        }
    }
}
