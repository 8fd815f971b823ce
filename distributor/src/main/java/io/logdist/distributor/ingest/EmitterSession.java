package io.logdist.distributor.ingest;

import io.logdist.distributor.admin.EmitterView;
import io.logdist.distributor.config.DistributorConfig;
import io.logdist.distributor.config.OverflowPolicy;
import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.logging.RateLimitedLog;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.loop.LoopContexts;
import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.codec.MalformedFrameException;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketFlyweight;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One emitter connection: the HELLO/WELCOME handshake, then PACKETs in and ACKs, NACKs
 * and PONGs out.
 *
 * <p>State machine: {@code AWAIT_HELLO} → ({@code ATTACHING} while the emitter's ledger
 * moves here from another loop) → {@code OPEN} → {@code CLOSED}. Each PACKET is
 * validated once (CRC-32C and shape) on its retained slice, admitted against the
 * emitter's {@link EmitterLedger}, and handed to the loop's router; the bytes are never
 * copied. ACKs are cumulative and sent at most once per read batch or settle batch.
 *
 * <p>Thread: one instance per channel, confined to the channel's event loop.
 */
public final class EmitterSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(EmitterSession.class);
    private static final long RETRY_AFTER_MS = 1000;
    private static final RateLimitedLog ERRORS = new RateLimitedLog(LOG, 10_000);

    private enum State { AWAIT_HELLO, ATTACHING, OPEN, CLOSED }

    private final DistributorConfig config;
    private final EmitterLedgers ledgers;
    private final LoopContexts contexts;
    private final RoutingTables tables;
    private final IngestStats stats;
    private final PacketFlyweight packet = new PacketFlyweight();
    private final ArrayDeque<ByteBuf> heldWhileAttaching = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private LoopContext loop;
    private State state = State.AWAIT_HELLO;
    /** Set once the channel is inactive; read by a claim's task on the ledger owner's loop. */
    private volatile boolean closed;
    private ScheduledFuture<?> helloTimeout;
    private EmitterLedger ledger;
    private long emitterId;
    private int window;
    private String emitterName = "";

    private final EmitterSessions sessions;
    private boolean paused;
    private volatile boolean shuttingDown;
    // Published once per read batch for the admin API.
    private volatile long packetsInPublished;
    private volatile long messagesInPublished;
    private volatile int windowInUsePublished;
    private long packetsIn;
    private long messagesIn;

    public EmitterSession(DistributorConfig config, EmitterLedgers ledgers, LoopContexts contexts, RoutingTables tables, IngestStats stats,
                          EmitterSessions sessions) {
        this.config = config;
        this.sessions = sessions;
        this.ledgers = ledgers;
        this.contexts = contexts;
        this.tables = tables;
        this.stats = stats;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = contexts.forLoop(ctx.channel().eventLoop());
        stats.connections.incrementAndGet();
        helloTimeout = ctx.executor().schedule(() -> {
            if (state == State.AWAIT_HELLO) {
                fail(ErrorCode.PROTOCOL_VIOLATION, "no HELLO within " + config.helloTimeout().toMillis() + " ms");
            }
        }, config.helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FrameError e) {
            fail(e.code(), e.reason());
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        if (state == State.ATTACHING) {
            heldWhileAttaching.add(frame);
            return;
        }
        try {
            onFrame(frame);
        } catch (MalformedFrameException e) {
            fail(e.code(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void onFrame(ByteBuf frame) {
        FrameType type = FrameReader.type(frame);
        switch (state) {
            case AWAIT_HELLO -> {
                if (type != FrameType.HELLO) {
                    fail(ErrorCode.PROTOCOL_VIOLATION, "expected HELLO as the first frame, got " + type);
                } else {
                    onHello(FrameReader.hello(frame));
                }
            }
            case OPEN -> {
                switch (type) {
                    case PACKET -> onPacket(frame);
                    case PING -> ctx.write(Frames.pong(ctx.alloc(), FrameReader.u64Body(frame)));
                    case PONG -> FrameReader.u64Body(frame);
                    case GOODBYE -> FrameReader.checkEmptyBody(frame);
                    case ERROR -> {
                        FrameReader.Error e = FrameReader.error(frame);
                        LOG.atInfo().addKeyValue("emitter", emitterId).addKeyValue("connection", ctx.channel().id().asShortText()).log("emitter {} ({}) sent ERROR {} ({}): {}", emitterId, emitterName, e.rawCode(), e.code(), e.reason());
                        close();
                    }
                    default -> fail(ErrorCode.PROTOCOL_VIOLATION, type + " is not allowed from an emitter");
                }
            }
            case ATTACHING, CLOSED -> {
                // Frames after a fatal error are ignored; the channel is closing.
            }
            default -> throw new IllegalStateException("state " + state);
        }
    }

    private void onHello(FrameReader.Hello hello) {
        if (hello.role() != Frames.ROLE_EMITTER) {
            fail(ErrorCode.PROTOCOL_VIOLATION, "HELLO role " + hello.role() + " is not accepted here; emitters use role 1");
            return;
        }
        if (hello.window() < 1) {
            fail(ErrorCode.PROTOCOL_VIOLATION, "HELLO window must be at least 1");
            return;
        }
        helloTimeout.cancel(false);
        emitterId = hello.id();
        emitterName = hello.name();
        window = (int) Math.min(hello.window(), config.maxEmitterWindow());
        claim(ledgers.get(emitterId, loop));
    }

    /** Makes this loop the owner of {@code l} (moving it from another loop if need be), then attaches. */
    private void claim(EmitterLedger l) {
        if (state == State.CLOSED) {
            // A retried claim after this channel closed: going on would take the ledger from
            // the emitter's live connection and attach this dead one, for good.
            return;
        }
        ledger = l;
        LoopContext current = l.owner();
        if (current == loop) {
            attach();
            return;
        }
        state = State.ATTACHING;
        ctx.channel().config().setAutoRead(false);
        current.eventLoop().execute(() -> {
            if (closed) {
                return; // closed on the way here: the ledger stays with whoever holds it
            }
            if (l.owner() != current || l.isRetired()) { // moved or expired meanwhile: ask the table again
                loop.eventLoop().execute(() -> claim(ledgers.get(emitterId, loop)));
                return;
            }
            EmitterSession old = l.session();
            if (old != null) {
                l.detach(old);
                old.replaced();
            }
            l.moveTo(loop);
            loop.eventLoop().execute(this::attach);
        });
    }

    private void attach() {
        if (state == State.CLOSED) {
            return;
        }
        if (ledger.isRetired()) { // expired on its way here: its cursor is gone, start from a fresh ledger
            claim(ledgers.get(emitterId, loop));
            return;
        }
        if (ledger.owner() != loop) {
            // Another connection of this emitter claimed the ledger between its move here and
            // this task: only the owner's loop may touch it, so ask its owner again.
            claim(ledger);
            return;
        }
        EmitterSession old = ledger.session();
        if (old != null && old != this) {
            ledger.detach(old);
            old.replaced();
        }
        long ackedThrough = ledger.attach(this, window);
        state = State.OPEN;
        sessions.add(this);
        ctx.write(Frames.welcome(ctx.alloc(), window, config.maxFrameLength(), ackedThrough, config.name()));
        // Refusals the emitter may have lost with its last connection go again, before any ACK covers them.
        ledger.forEachRecentRefusal((sequence, code) -> ctx.write(Frames.nack(ctx.alloc(), sequence, code,
            code.isTransient() ? RETRY_AFTER_MS : 0, "refused on an earlier connection"), ctx.voidPromise()));
        ctx.flush();
        if (sessions.shuttingDown()) {
            sayGoodbye(); // its HELLO crossed the shutdown: GOODBYE now, and the packets after it are refused
        }
        LOG.atDebug().addKeyValue("emitter", emitterId).addKeyValue("connection", ctx.channel().id().asShortText()).log("emitter {} ({}) from {}: window {}, acked through {}", emitterId, emitterName, ctx.channel().remoteAddress(), window, ackedThrough);
        ByteBuf held;
        while ((held = heldWhileAttaching.poll()) != null) {
            channelRead(ctx, held);
        }
        channelReadComplete(ctx);
        if (!paused) { // a held frame may have found its link full: then the link's room resumes reading
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** Another connection of the same emitter took over its ledger: close this one. Runs on this channel's loop. */
    void replaced() {
        if (state != State.CLOSED) {
            state = State.CLOSED;
            ctx.close();
        }
    }

    private void onPacket(ByteBuf frame) {
        int index = FrameReader.bodyIndex(frame);
        int length = FrameReader.bodyLength(frame);
        packet.wrap(frame, index, length);
        if (length < PacketDescriptor.SEQUENCE_OFFSET + 8) {
            sendNack(0, ErrorCode.MALFORMED_PACKET, 0, "packet of " + length + " bytes is shorter than its header");
            return;
        }
        long sequence = packet.sequence();
        ErrorCode code = packet.validate();
        if (code != ErrorCode.NONE) {
            refuse(sequence, code, 0, code == ErrorCode.BAD_CHECKSUM ? "CRC-32C does not match" : "messages do not fill the packet exactly, or count is 0");
            return;
        }
        if (sequence == 0) {
            refuse(sequence, ErrorCode.MALFORMED_PACKET, 0, "sequence 0: sequences start at 1");
            return;
        }
        if (sequence < 0) { // u64 above 2^63 - 1: beyond any window of a stream that starts at 1
            fail(ErrorCode.PROTOCOL_VIOLATION, "sequence " + Long.toUnsignedString(sequence) + " is beyond the window");
            return;
        }
        if (packet.emitterId() != emitterId) {
            refuse(sequence, ErrorCode.MALFORMED_PACKET, 0, "emitterId " + packet.emitterId() + " does not match HELLO's " + emitterId);
            return;
        }
        EmitterLedger.Admission admission = ledger.admit(sequence);
        if (shuttingDown && admission == EmitterLedger.Admission.ACCEPT) {
            // Only new packets are refused: a duplicate is still ACKed, and a sender over its window still told.
            rejectAccepted(sequence, ErrorCode.SHUTTING_DOWN, "the distributor is shutting down");
            return;
        }
        switch (admission) {
            case ACCEPT -> {
                if (loop.parkedBytes() > config.parkedBytesLimit()) {
                    boolean none = tables.current().isEmpty();
                    rejectAccepted(sequence, none ? ErrorCode.NO_ANALYZERS : ErrorCode.OVERLOADED,
                        none ? "no analyzer is up" : "no room for more packets now");
                    return;
                }
                int count = packet.count();
                int priority = packet.priority();
                AnalyzerLink link = loop.pick(count);
                if (link != null && link.isOverHighWatermark()) {
                    OverflowPolicy overflow = config.overflow();
                    if (overflow.mode() == OverflowPolicy.Mode.REJECT || overflow.sheds(priority)) {
                        if (overflow.mode() == OverflowPolicy.Mode.SHED) {
                            stats.shed.increment();
                        }
                        rejectAccepted(sequence, ErrorCode.OVERLOADED, "analyzer " + link.name() + " is full");
                        return;
                    }
                    pauseUntilRoom(link);
                }
                packetsIn++;
                messagesIn += count;
                stats.packetsIn.increment();
                stats.messagesIn.add(count);
                stats.bytesIn.add(length);
                loop.deliver(Packet.of(frame.retainedSlice(index, length), ledger, sequence, count, priority), link);
            }
            case DUPLICATE -> stats.duplicates.increment();
            case HELD -> {
                // Already on its way from an earlier connection: it will be ACKed when safe.
            }
            case OUT_OF_WINDOW -> fail(ErrorCode.PROTOCOL_VIOLATION,
                "sequence " + sequence + " is beyond the window (acked through " + ledger.cursor() + ", window " + window + ")");
            default -> throw new IllegalStateException();
        }
    }

    /** Stops reading this emitter until {@code link} has room: TCP and the emitter's window slow it down. */
    private void pauseUntilRoom(AnalyzerLink link) {
        if (paused) {
            return;
        }
        paused = true;
        stats.pauses.increment();
        ctx.channel().config().setAutoRead(false);
        link.awaitRoom(() -> ctx.executor().execute(this::resume));
    }

    private void resume() {
        if (paused) {
            paused = false;
            if (state != State.CLOSED) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /** GOODBYE to the emitter; from now on new packets get NACK SHUTTING_DOWN. Any thread. */
    void beginShutdown() {
        ctx.executor().execute(this::sayGoodbye);
    }

    private void sayGoodbye() {
        if (state == State.OPEN && !shuttingDown) {
            shuttingDown = true;
            ctx.writeAndFlush(Frames.goodbye(ctx.alloc()), ctx.voidPromise());
        }
    }

    /** The admin view of this session. Any thread. */
    EmitterView view() {
        Object remote = ctx.channel().remoteAddress();
        String address = remote instanceof java.net.InetSocketAddress a ? new HostPort(a.getHostString(), a.getPort()).toString()
            : String.valueOf(remote);
        return new EmitterView(address, emitterId, emitterName, packetsInPublished, messagesInPublished,
            windowInUsePublished, window);
    }

    private void refuse(long sequence, ErrorCode code, long retryAfterMs, String reason) {
        sendNack(sequence, code, retryAfterMs, reason);
        ledger.refuse(sequence, code);
    }

    /** Takes back an ACCEPTed packet that cannot be taken now (a transient refusal), and NACKs it. */
    private void rejectAccepted(long sequence, ErrorCode code, String reason) {
        ledger.rejectAccepted(sequence, code);
        sendNack(sequence, code, RETRY_AFTER_MS, reason);
    }

    private void sendNack(long id, ErrorCode code, long retryAfterMs, String reason) {
        stats.nacked(code);
        ctx.write(Frames.nack(ctx.alloc(), id, code, retryAfterMs, reason), ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.OPEN) {
            ledger.flushAck();
            packetsInPublished = packetsIn;
            messagesInPublished = messagesIn;
            windowInUsePublished = (int) Math.min(Integer.MAX_VALUE, ledger.inFlight());
        }
        ctx.flush();
    }

    /** Writes a cumulative ACK and flushes. Called on this channel's loop by the ledger. */
    void writeAckAndFlush(long through) {
        ctx.writeAndFlush(Frames.ack(ctx.alloc(), through), ctx.voidPromise());
    }

    /** Sends ERROR and closes: the stream can no longer be trusted or the peer broke the protocol. */
    private void fail(ErrorCode code, String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        // A broken client may reconnect and fail in a loop: one line per error code per 10 s.
        ERRORS.warn("error:" + code.value(), "emitter {} from {}: ERROR {} ({}), closing", emitterId == 0 ? "?" : emitterId,
            ctx.channel().remoteAddress(), code.value(), reason);
        ctx.writeAndFlush(Frames.error(ctx.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    private void close() {
        state = State.CLOSED;
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSED;
        closed = true;
        if (helloTimeout != null) {
            helloTimeout.cancel(false);
        }
        ByteBuf held;
        while ((held = heldWhileAttaching.poll()) != null) {
            held.release();
        }
        if (ledger != null && ledger.owner() == loop) {
            ledger.detach(this);
        }
        sessions.remove(this);
        stats.connections.decrementAndGet();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.atDebug().addKeyValue("emitter", emitterId).addKeyValue("connection", ctx.channel().id().asShortText()).log("emitter {} from {}: {}", emitterId, ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.atWarn().addKeyValue("emitter", emitterId).addKeyValue("connection", ctx.channel().id().asShortText()).log("emitter {} from {}: unexpected error, closing", emitterId, ctx.channel().remoteAddress(), cause);
        }
        close();
    }
}
