package io.logdist.emitter;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.logdist.protocol.transport.Backoff;
import io.logdist.protocol.transport.HostResolver;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One emitter: an emitterId, its sequence numbers, the packets the distributor has not
 * yet settled, and its connection to the distributor, redialled whenever it is lost.
 *
 * <h2>States</h2>
 * <pre>
 *   NEW --start--> CONNECTING --channel active, HELLO sent--> HANDSHAKING --WELCOME--> STREAMING
 *   CONNECTING --connect failed--> BACKING_OFF --backoff elapsed--> CONNECTING
 *   HANDSHAKING, STREAMING, PARTING --connection lost--> BACKING_OFF
 *   STREAMING --GOODBYE from the distributor--> PARTING --all in flight ACKed, close--> BACKING_OFF
 *   any --production over and all settled, drain timeout, or abort--> FINISHED
 * </pre>
 * Independently of the state, the session is <em>producing</em> until its duration
 * ends, its source runs dry or the packet budget is spent; after that it only drains:
 * resends, retries refused packets and waits for ACKs, reconnecting if it must.
 *
 * <h2>Sending</h2>
 * {@link #pump()} writes packets while the channel is writable and the window has room,
 * in this order: packets being resent with their own sequence after a reconnect,
 * refused packets whose retry time has come (under a new sequence), then new packets
 * when the pacer says they are due. It writes at most {@link #BATCH_PACKETS} and then
 * flushes once. Each packet is one pooled buffer holding the frame header and the
 * packet; the session keeps that buffer until the packet is ACKed and writes retained
 * duplicates of it, so a resend after a reconnect costs no copy.
 *
 * <p>A paced packet's send lag (how long after its intended time the pump took it) is
 * recorded, so a run shows whether the emitter kept its schedule: a lag is the emitter
 * short of CPU, or its window full and waiting for ACKs.
 *
 * <p>Thread: everything here runs on {@link #loop()}, the event loop that this session
 * and every channel it dials are bound to; only {@link #emitterId()},
 * {@link #counters()} and {@link #refused()} may be read from other threads.
 */
final class EmitterSession implements Unacked.SettleListener {
    private static final Logger log = LoggerFactory.getLogger(EmitterSession.class);

    static final int BATCH_PACKETS = 64;
    /** Bound on the due-but-unsent packets recorded at the end of a paced run. */
    static final int MAX_BACKLOG_RECORDED = 10_000_000;
    static final long HANDSHAKE_TIMEOUT_MS = 5_000;
    /** Floor under a NACK's retryAfterMillis so that a zero does not become a busy loop. */
    static final long MIN_RETRY_DELAY_MS = 10;
    static final int CONNECT_TIMEOUT_MS = 3_000;
    /**
     * A connection that lasted this long counts as healthy: the next reconnect starts the
     * backoff from its base again even if no ACK moved things on.
     */
    static final long HEALTHY_CONNECTION_NS = TimeUnit.MILLISECONDS.toNanos(Backoff.DEFAULT_CAP_MS);
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    enum State { NEW, CONNECTING, HANDSHAKING, STREAMING, PARTING, BACKING_OFF, FINISHED }

    private final long emitterId;
    private final EventLoop loop;
    private final RunContext run;
    private final EmitterConfig config;
    private final Bootstrap bootstrap;
    private final PacketSource source;
    private final PriorityChooser priorities;
    private final RatePacer pacer;
    private final Backoff backoff;
    private final Unacked unacked;
    private final PriorityQueue<PendingRetry> retries =
        new PriorityQueue<>(Comparator.comparingLong(PendingRetry::dueNs));
    private final PacketWriter writer = new PacketWriter();
    /** Re-stamps the CRC of a resent packet: the flyweight's own computation over the packet's bytes. */
    private final PacketFlyweight resent = new PacketFlyweight();
    private final MicrosClock clock;
    private final SessionCounters counters = new SessionCounters();

    private final Runnable pumpTask = this::pump;
    private final Runnable wakeTask = this::onWake;
    private final Runnable connectTask = this::connect;
    private final Runnable handshakeTimeoutTask = this::onHandshakeTimeout;
    private final Runnable drainTimeoutTask = this::onDrainTimeout;
    private final ChannelFutureListener connectListener = this::onConnectDone;

    /** Every sequence refused by a NACK, in order; any thread may copy it out. */
    private final RefusedSequences refused = new RefusedSequences();
    /** The first sequence this run numbered: after what the distributor already held for a reused emitterId. */
    private volatile long firstSequence = 1;

    private State state = State.NEW;
    private Channel channel;
    private int grantedWindow;
    private int maxPacketBytes;
    /** Next sequence to resend with its own number after a reconnect, up to {@link #resendLast}. */
    private long resendNext = 1;
    private long resendLast;
    private boolean producing = true;
    /** The source had nothing when a packet was due: the schedule resumes when it has (RatePacer#resumeAt). */
    private boolean sourceWasDry;
    private boolean welcomedOnce;
    private boolean pumpQueued;
    private long wakeAtNs = Long.MAX_VALUE;
    private ScheduledFuture<?> wakeFuture;
    private long settleNowNs;
    /** What the ACK being settled covers, summed by onAcked and published by settle. */
    private long settledPackets;
    private long settledMessages;
    private long settledBytes;
    private long welcomedAtNs;
    private long pingNonce;
    /**
     * After each WELCOME nothing is sent until the PONG of this PING (0: not waiting). The
     * distributor repeats its recent NACKs right after WELCOME (docs/protocol.md, decision
     * h), so they all arrive first: a sequence refused on a lost connection is not resent
     * under its own sequence, and a run that reuses an emitterId learns of refusals past
     * what WELCOME said before it numbers anything.
     */
    private long barrierNonce;
    /**
     * After a WELCOME that says less is held than was ACKed: the sequence whose repeated NACK,
     * before the barrier's PONG, explains it (a recent refusal); 0 when none is awaited. If it
     * does not come, the distributor forgot this emitter, and that is worth a warning.
     */
    private long refusalAwaited;
    private long ackedThroughBeforeWelcome;
    private ScheduledFuture<?> barrierTimeout;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> drainDeadline;
    private ScheduledFuture<?> reconnectTimer;

    EmitterSession(long emitterId, EventLoop loop, Transport transport, PacketSource.Factory sources,
                   MicrosClock clock, RunContext run) {
        this.emitterId = emitterId;
        this.loop = loop;
        this.run = run;
        this.config = run.config;
        this.source = sources.create(emitterId, new Wakeup(loop, this::onSourceReady));
        this.clock = clock;
        this.priorities = config.priority().newChooser(emitterId);
        this.pacer = new RatePacer(config.ratePerSecond(), config.connections());
        this.backoff = new Backoff(Backoff.DEFAULT_BASE_MS, Backoff.DEFAULT_CAP_MS, new SplittableRandom());
        this.unacked = new Unacked(config.window());
        this.bootstrap = new Bootstrap()
            .group(loop)
            .channel(transport.socketChannel())
            .resolver(HostResolver.INSTANCE) // the distributor's name is looked up off the loop its connections share
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
            .handler(new EmitterChannelInitializer(this));
    }

    long emitterId() {
        return emitterId;
    }

    EventLoop loop() {
        return loop;
    }

    SessionCounters counters() {
        return counters;
    }

    long firstSequence() {
        return firstSequence;
    }

    long[] refused() {
        return refused.toArray();
    }

    // ---------------------------------------------------------------- lifecycle

    /** Dials the distributor for the first time. */
    void start() {
        connect();
    }

    /** The run's duration is over: make no new packets, drain what is in flight. */
    void stopProducing() {
        stopProducing(true);
        maybeFinish();
    }

    /** The run's duration is over: counts what the schedule had due but never sent, then stops producing. */
    void stopProducingAtDurationEnd() {
        // Never welcomed: the schedule never started, so it has nothing due (its start is 0, not a time).
        if (producing && pacer.paced() && welcomedOnce && state != State.FINISHED && !sourceWasDry) {
            recordUnsentBacklog(System.nanoTime());
        }
        stopProducing();
    }

    /**
     * Packets the schedule had due that never left (the window or the CPU held them back)
     * have waited at least from their intended time until now. Left out, a stall near the
     * end of a run would vanish from the latency tail exactly when the emitter falls behind
     * (coordinated omission); each is recorded at that lower bound, as a packet of the
     * configured size.
     */
    private void recordUnsentBacklog(long nowNs) {
        for (int n = 0; n < MAX_BACKLOG_RECORDED; n++) {
            long due = pacer.nextDueNs(nowNs);
            if (due > nowNs) {
                return;
            }
            run.ackLatency.recordMicros((nowNs - due) / 1_000);
            pacer.onSent(config.messagesPerPacket());
        }
    }

    /** Stops at once: no drain, no reconnect; releases everything. */
    void abort() {
        if (state == State.FINISHED) {
            return;
        }
        stopProducing(false);
        finish();
    }

    /** Releases every buffer still held; safe to call again, and after the event loop has stopped. */
    void releaseLeftovers() {
        unacked.releaseAll();
        PendingRetry r;
        while ((r = retries.poll()) != null) {
            r.frame().release();
        }
        source.close();
    }

    private void stopProducing(boolean drain) {
        if (!producing) {
            return;
        }
        producing = false;
        run.listener.onProductionStopped(this, System.nanoTime());
        if (drain && state != State.FINISHED) {
            drainDeadline = loop.schedule(drainTimeoutTask, config.drainTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    /** Finishes once production is over and nothing is left to settle; true if finished. */
    private boolean maybeFinish() {
        if (state == State.FINISHED) {
            return true;
        }
        if (producing || !unacked.isEmpty() || !retries.isEmpty()) {
            return false;
        }
        finish();
        return true;
    }

    private void onDrainTimeout() {
        drainDeadline = null;
        if (state != State.FINISHED) {
            log.debug("emitter {}: drain timeout with {} packets unacknowledged", emitterId, unacked.unsettledPackets());
            finish();
        }
    }

    private void finish() {
        boolean welcomed = state == State.STREAMING || state == State.PARTING;
        counters.set(SessionCounters.UNSETTLED_AT_END, unacked.unsettledPackets() + retries.size());
        moveTo(State.FINISHED);
        cancel(handshakeTimeout);
        cancel(drainDeadline);
        cancel(reconnectTimer);
        releaseLeftovers();
        Channel ch = channel;
        channel = null;
        if (ch == null) {
            run.listener.onFinished(this);
            return;
        }
        if (welcomed && ch.isActive()) {
            // Tell the distributor nothing more is coming, then hang up. Not waiting for the
            // write: a distributor that stopped reading must not keep the run from ending
            // (flush writes what the socket takes at once; close drops the rest).
            ch.writeAndFlush(Frames.goodbye(ch.alloc()), ch.voidPromise());
        }
        ch.close();
        ch.closeFuture().addListener(f -> run.listener.onFinished(this));
    }

    // ---------------------------------------------------------------- connecting

    private void connect() {
        reconnectTimer = null;
        if (state == State.FINISHED) {
            return;
        }
        moveTo(State.CONNECTING);
        ChannelFuture f = bootstrap.connect(config.distributor().host(), config.distributor().port());
        channel = f.channel();
        f.addListener(connectListener);
    }

    private void onConnectDone(ChannelFuture f) {
        if (f.isSuccess() || f.channel() != channel) {
            return; // channelActive carries on from a success
        }
        channel = null;
        if (state == State.FINISHED) {
            return;
        }
        counters.add(SessionCounters.CONNECT_FAILURES, 1);
        run.warnUnreachable(f.cause());
        scheduleReconnect();
    }

    private void scheduleReconnect() {
        moveTo(State.BACKING_OFF);
        reconnectTimer = loop.schedule(connectTask, backoff.nextDelayMs(), TimeUnit.MILLISECONDS);
    }

    void onConnected(Channel ch) {
        // channel may still be unset: a loopback connect can complete inside bootstrap.connect().
        if (state != State.CONNECTING || (channel != null && channel != ch)) {
            ch.close();
            return;
        }
        channel = ch;
        moveTo(State.HANDSHAKING);
        ch.writeAndFlush(Frames.hello(ch.alloc(), Frames.ROLE_EMITTER, emitterId, config.window(), config.name(), ""),
            ch.voidPromise());
        handshakeTimeout = loop.schedule(handshakeTimeoutTask, HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void onHandshakeTimeout() {
        handshakeTimeout = null;
        if (state == State.HANDSHAKING && channel != null) {
            log.warn("emitter {}: no WELCOME from {} within {} ms; reconnecting", emitterId, config.distributor(),
                HANDSHAKE_TIMEOUT_MS);
            // As the distributor does towards an analyzer that never answers: say why, then close.
            channel.writeAndFlush(Frames.error(channel.alloc(), ErrorCode.PROTOCOL_VIOLATION,
                "no WELCOME within " + HANDSHAKE_TIMEOUT_MS + " ms")).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void onWelcome(Channel ch, FrameReader.Welcome welcome) {
        if (ch != channel) {
            return;
        }
        if (state != State.HANDSHAKING) {
            onBrokenStream(ch, ErrorCode.PROTOCOL_VIOLATION, "WELCOME after the handshake");
            return;
        }
        cancel(handshakeTimeout);
        handshakeTimeout = null;
        long smallestUsable = FrameDescriptor.MIN_LENGTH + PacketDescriptor.HEADER_LENGTH
            + PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
        if (welcome.maxFrameLength() < smallestUsable) {
            log.error("emitter {}: the distributor's maxFrameLength {} cannot carry a packet; reconnecting", emitterId,
                welcome.maxFrameLength());
            ch.close();
            return;
        }
        int madeFor = maxPacketBytes;
        maxPacketBytes = (int) Math.min(welcome.maxFrameLength(), Integer.MAX_VALUE) - FrameDescriptor.MIN_LENGTH;
        // A grant above what was asked breaks the protocol; never use more than asked.
        grantedWindow = (int) Math.min(welcome.window(), unacked.capacity());
        if (grantedWindow == 0) {
            run.protocolOddity.warn("emitter {}: the distributor granted a window of 0; nothing can be sent", emitterId);
        }
        settleOnWelcome(welcome.ackedThrough());
        if (maxPacketBytes < madeFor) { // every frame held fits the limit of the WELCOME before this one
            splitWhatNoLongerFits(ch.alloc());
        }
        resendNext = unacked.ackedThrough() + 1;
        resendLast = unacked.highestSent();
        // The backoff is not reset here: a distributor that welcomes and then refuses at
        // once (ERROR, close) must not be redialled in a tight loop. Progress resets it.
        welcomedAtNs = System.nanoTime();
        moveTo(State.STREAMING);
        if (!welcomedOnce) {
            welcomedOnce = true;
            pacer.start(System.nanoTime());
            log.debug("emitter {}: welcomed by {} '{}' (window {}, maxFrameLength {}, ackedThrough {})", emitterId,
                config.distributor(), welcome.serverName(), grantedWindow, welcome.maxFrameLength(),
                welcome.ackedThrough());
            run.listener.onFirstWelcome(this);
        } else {
            counters.add(SessionCounters.RECONNECTS, 1);
            log.info("emitter {}: reconnected to {}; resending {} unacknowledged packets", emitterId,
                config.distributor(), unacked.unsettledPackets());
        }
        raiseBarrier(ch);
    }

    private void raiseBarrier(Channel ch) {
        barrierNonce = ++pingNonce;
        ch.writeAndFlush(Frames.ping(ch.alloc(), barrierNonce), ch.voidPromise());
        // A distributor that never answers must not stall the run: after the handshake timeout, go on.
        barrierTimeout = loop.schedule(() -> lowerBarrier(ch), HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void lowerBarrier(Channel ch) {
        if (ch != channel || barrierNonce == 0) {
            return;
        }
        if (refusalAwaited != 0) {
            run.protocolOddity.warn("emitter {}: the distributor holds sequences through {} only, after it had"
                + " acknowledged {} (did it restart and forget this emitter?); acknowledged packets are not kept,"
                + " so it may refuse the later sequences", emitterId, refusalAwaited - 1, ackedThroughBeforeWelcome);
        }
        clearBarrier();
        pump();
    }

    private void clearBarrier() {
        barrierNonce = 0;
        refusalAwaited = 0;
        cancel(barrierTimeout);
        barrierTimeout = null;
    }

    /**
     * Packets made for a larger maxFrameLength than this connection's (the distributor
     * restarted with a lower one) would get ERROR FRAME_TOO_LARGE at every resend. Each
     * unacknowledged one keeps its sequence with the messages that fit; the rest, like a
     * waiting retry's that no longer fits, go out as new packets under new sequences.
     */
    private void splitWhatNoLongerFits(ByteBufAllocator alloc) {
        int split = 0;
        for (long s = unacked.ackedThrough() + 1; s <= unacked.highestSent(); s++) {
            ByteBuf frame = unacked.frame(s);
            if (frame == null || !PacketSplit.tooLong(frame, maxPacketBytes)) {
                continue;
            }
            List<PacketSplit.Part> parts = PacketSplit.split(frame, maxPacketBytes, alloc, run.messageTruncation);
            long intended = unacked.intendedNs(s);
            PacketSplit.Part first = parts.get(0);
            unacked.replace(s, first.frame(), first.messages(), first.payloadBytes());
            for (int k = 1; k < parts.size(); k++) {
                PacketSplit.Part p = parts.get(k);
                retries.add(new PendingRetry(p.frame(), intended, p.messages(), p.payloadBytes(), 0));
            }
            split++;
        }
        List<PendingRetry> tooLong = new ArrayList<>();
        retries.removeIf(r -> PacketSplit.tooLong(r.frame(), maxPacketBytes) && tooLong.add(r));
        for (PendingRetry r : tooLong) {
            for (PacketSplit.Part p : PacketSplit.split(r.frame(), maxPacketBytes, alloc, run.messageTruncation)) {
                retries.add(new PendingRetry(p.frame(), r.intendedNs(), p.messages(), p.payloadBytes(), r.dueNs()));
            }
            r.frame().release();
            split++;
        }
        if (split > 0) {
            log.warn("emitter {}: the distributor now takes frames up to {} bytes; {} packets made for larger ones were"
                + " split to fit", emitterId, maxPacketBytes + FrameDescriptor.MIN_LENGTH, split);
        }
    }

    private void settleOnWelcome(long held) {
        if (held > unacked.highestSent()) {
            // The distributor knows this emitterId from before (an --emitter-id reused):
            // sequences up to `held` would be dropped as duplicates, so number on after them.
            settle(unacked.highestSent());
            if (unacked.highestSent() == 0) {
                firstSequence = held + 1; // 1..held are an earlier run's: not this run's to account for
            }
            log.warn("emitter {}: the distributor already holds sequences through {} (was this emitterId used before?);"
                + " numbering continues from {}", emitterId, held, held + 1);
            unacked.skipTo(held);
        } else if (held == 0 && unacked.ackedThrough() > 0) {
            // A recent refusal of sequence 1, whose NACK comes again before the barrier's PONG, or
            // a distributor that lost its ledger: lowerBarrier tells which. (Another value below
            // what was ACKed stops below a recent refusal too; settling it is a no-op.)
            refusalAwaited = held + 1;
            ackedThroughBeforeWelcome = unacked.ackedThrough();
        } else {
            settle(held);
        }
        counters.set(SessionCounters.ACKED_THROUGH, unacked.ackedThrough());
    }

    void onDisconnected(Channel ch) {
        if (ch != channel) {
            return;
        }
        channel = null;
        cancel(handshakeTimeout);
        handshakeTimeout = null;
        clearBarrier();
        if (state == State.FINISHED) {
            return;
        }
        if (state == State.STREAMING || state == State.PARTING) {
            if (System.nanoTime() - welcomedAtNs >= HEALTHY_CONNECTION_NS) {
                backoff.reset();
            }
            if (state == State.STREAMING) {
                log.info("emitter {}: lost the connection to {}; reconnecting", emitterId, config.distributor());
            }
        }
        scheduleReconnect();
    }

    // ---------------------------------------------------------------- frames from the distributor

    void onAck(Channel ch, long through) {
        if (ch != channel) {
            return;
        }
        if (state != State.STREAMING && state != State.PARTING) {
            onBrokenStream(ch, ErrorCode.PROTOCOL_VIOLATION, "ACK before WELCOME");
            return;
        }
        if (through > unacked.highestSent()) {
            run.protocolOddity.warn("emitter {}: ACK({}) is beyond the highest sequence sent ({})", emitterId, through,
                unacked.highestSent());
        }
        if (through > unacked.ackedThrough()) {
            settle(through);
            counters.set(SessionCounters.ACKED_THROUGH, unacked.ackedThrough());
            backoff.reset(); // this connection works: a later loss starts from the base delay
        }
        if (state == State.PARTING) {
            continueParting(ch);
        } else {
            pump();
        }
    }

    private void settle(long through) {
        settleNowNs = System.nanoTime();
        settledPackets = 0;
        settledMessages = 0;
        settledBytes = 0;
        unacked.settleThrough(through, this);
        // Published once per ACK, not once per packet it covers: readers are on other threads.
        counters.add(SessionCounters.PACKETS_ACKED, settledPackets);
        counters.add(SessionCounters.MESSAGES_ACKED, settledMessages);
        counters.add(SessionCounters.BYTES_ACKED, settledBytes);
    }

    @Override
    public void onAcked(long sequence, long intendedNs, int messages, int payloadBytes) {
        settledPackets++;
        settledMessages += messages;
        settledBytes += payloadBytes;
        run.ackLatency.recordMicros((settleNowNs - intendedNs) / 1_000);
    }

    @Override
    public void onRefusedSettled(long sequence) {
        // Counted when the NACK came; its messages travel under another sequence.
    }

    void onNack(Channel ch, FrameReader.Nack nack) {
        if (ch != channel) {
            return;
        }
        if (state != State.STREAMING && state != State.PARTING) {
            onBrokenStream(ch, ErrorCode.PROTOCOL_VIOLATION, "NACK before WELCOME");
            return;
        }
        long sequence = nack.id();
        if (sequence == refusalAwaited) {
            refusalAwaited = 0; // WELCOME stopped below this refusal: the distributor did not forget
        }
        // Before the barrier's PONG, a NACK past everything this run sent can only be an
        // earlier run's: the distributor repeats refusals of sequences its sender sent.
        if (barrierNonce != 0 && sequence > unacked.highestSent()) {
            refuseToReuseEmitterId(ch, sequence);
            return;
        }
        ByteBuf frame = unacked.refuse(sequence);
        if (frame == null) {
            log.debug("emitter {}: NACK for sequence {} that is not in flight; ignored", emitterId, sequence);
            return;
        }
        counters.add(SessionCounters.PACKETS_NACKED, 1);
        refused.add(sequence);
        long now = System.nanoTime();
        long due = now + TimeUnit.MILLISECONDS.toNanos(Math.max(MIN_RETRY_DELAY_MS, nack.retryAfterMillis()));
        retries.add(new PendingRetry(frame, unacked.intendedNs(sequence), unacked.messages(sequence),
            unacked.payloadBytes(sequence), due));
        log.debug("emitter {}: sequence {} refused ({} {}: {}); retrying after {} ms", emitterId, sequence,
            nack.rawCode(), nack.code(), nack.reason(), nack.retryAfterMillis());
        scheduleWake(due, now);
    }

    /**
     * This run reuses an emitterId whose earlier run the distributor still holds, and a NACK
     * after WELCOME refuses a sequence past what WELCOME said was held: the distributor's
     * record goes further than WELCOME could say (a refusal keeps it from saying more), so
     * any sequence this run numbered could be taken for one of the earlier run's and ACKed
     * without being delivered. It sends nothing and ends, saying why.
     */
    private void refuseToReuseEmitterId(Channel ch, long sequence) {
        String why = "emitter " + Long.toUnsignedString(emitterId) + ": the distributor still holds packets of an earlier"
            + " run with this emitterId past sequence " + unacked.highestSent() + " (it refused " + sequence
            + "), so new packets could be taken for old ones; give another --emitter-id, or wait for the"
            + " distributor to forget this one (its --emitter-expiry, 10 min by default)";
        log.error(why);
        run.fail(why);
        clearBarrier();
        stopProducing();
        ch.close();
    }

    void onPing(Channel ch, long nonce) {
        if (ch != channel || refusedBeforeWelcome(ch, "PING")) {
            return;
        }
        ch.writeAndFlush(Frames.pong(ch.alloc(), nonce), ch.voidPromise());
    }

    /** A PONG: the one of the PING after WELCOME lowers the barrier; the others only kept the connection warm. */
    void onPong(Channel ch, long nonce) {
        if (ch != channel || refusedBeforeWelcome(ch, "PONG")) {
            return;
        }
        if (nonce == barrierNonce) {
            lowerBarrier(ch);
        }
    }

    /** "The acceptor answers WELCOME. Any other first frame ... gets ERROR and a close": true when it did. */
    private boolean refusedBeforeWelcome(Channel ch, String frame) {
        if (state != State.HANDSHAKING) {
            return false;
        }
        onBrokenStream(ch, ErrorCode.PROTOCOL_VIOLATION, frame + " before WELCOME");
        return true;
    }

    void onError(Channel ch, FrameReader.Error error) {
        log.warn("emitter {}: the distributor sent ERROR {} {}: {}", emitterId, error.rawCode(), error.code(),
            error.reason());
        ch.close();
    }

    void onGoodbye(Channel ch) {
        if (ch != channel) {
            return;
        }
        if (refusedBeforeWelcome(ch, "GOODBYE")) {
            return;
        }
        if (state != State.STREAMING) {
            ch.close();
            return;
        }
        log.info("emitter {}: the distributor said GOODBYE; waiting for ACKs, then reconnecting", emitterId);
        moveTo(State.PARTING);
        continueParting(ch);
    }

    private void continueParting(Channel ch) {
        if (!maybeFinish() && unacked.isEmpty()) {
            ch.close();
        }
    }

    /** The byte stream cannot be trusted (bad frame, frame not allowed here): ERROR and close. */
    void onBrokenStream(Channel ch, ErrorCode code, String reason) {
        log.warn("emitter {}: {} from the distributor ({}); closing the connection", emitterId, code, reason);
        if (ch.isActive()) {
            ch.writeAndFlush(Frames.error(ch.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ch.close();
        }
    }

    void onWritable(Channel ch) {
        if (ch == channel) {
            pump();
        }
    }

    /** Nothing written for a while: a PING keeps idle-timeout clocks on the way from firing. */
    void onWriterIdle(Channel ch) {
        if (ch == channel && (state == State.STREAMING || state == State.PARTING)) {
            ch.writeAndFlush(Frames.ping(ch.alloc(), ++pingNonce), ch.voidPromise());
        }
    }

    /**
     * Nothing from the distributor for {@code seconds}, not even the PONG of a PING: it is
     * stopped, wedged or gone without closing. Reconnecting resends what is unacknowledged;
     * waiting would hang the run (a distributor holding back for want of room still
     * answers within that time, or takes the resends as duplicates).
     */
    void onSilent(Channel ch, long seconds) {
        if (ch == channel && ch.isActive()) {
            log.warn("emitter {}: nothing heard from the distributor for {} s, not even a PONG; reconnecting", emitterId, seconds);
            ch.close();
        }
    }

    // ---------------------------------------------------------------- sending

    private void onWake() {
        wakeFuture = null;
        wakeAtNs = Long.MAX_VALUE;
        pump();
    }

    private void queuePump() {
        if (!pumpQueued) {
            pumpQueued = true;
            loop.execute(pumpTask);
        }
    }

    /** Keeps at most one wake-up pending: overdue ones used to pile up and re-arm each other (see docs/benchmarks.md). */
    private void scheduleWake(long dueNs, long nowNs) {
        if (wakeFuture != null) {
            if (wakeAtNs <= dueNs) {
                return; // an earlier (or overdue, not yet run) wake is pending; it will look again
            }
            wakeFuture.cancel(false);
        }
        wakeAtNs = dueNs;
        wakeFuture = loop.schedule(wakeTask, Math.max(0, dueNs - nowNs), TimeUnit.NANOSECONDS);
    }

    /**
     * The source has messages again after it ran dry: the schedule resumes from now, when
     * they came, not from when they can be sent: a connection down meanwhile is a delay
     * the latency must show.
     */
    private void onSourceReady() {
        resumeAfterDrySource(System.nanoTime());
        pump();
    }

    /** Waiting for input was nobody's delay: not latency, and no backlog to catch up. */
    private void resumeAfterDrySource(long nowNs) {
        if (sourceWasDry) {
            sourceWasDry = false;
            pacer.resumeAt(nowNs);
        }
    }

    private void pump() {
        pumpQueued = false;
        if (state != State.STREAMING || barrierNonce != 0) {
            return; // not connected, parting, or the NACKs that follow WELCOME may still be coming
        }
        Channel ch = channel;
        long now = System.nanoTime();
        int written = 0;
        resendNext = Math.max(resendNext, unacked.ackedThrough() + 1);
        while (written < BATCH_PACKETS && ch.isWritable()) {
            if (resendNext <= resendLast) {
                if (resendNext - unacked.ackedThrough() > grantedWindow) {
                    break;
                }
                ByteBuf frame = unacked.frame(resendNext++);
                if (frame != null) { // null: refused, its messages wait in `retries`
                    ch.write(frame.retainedDuplicate(), ch.voidPromise());
                    written++;
                }
                continue;
            }
            if (unacked.inFlight() >= grantedWindow) {
                break;
            }
            PendingRetry retry = retries.peek();
            if (retry != null && retry.dueNs() <= now) {
                retries.poll();
                sendRetry(ch, retry);
                written++;
                continue;
            }
            if (!producing) {
                break;
            }
            if (unacked.inFlight() + retries.size() >= grantedWindow) {
                break; // refused packets waiting to go again count against the window: a NACK slows new packets down
            }
            long due = pacer.nextDueNs(now);
            if (due > now) {
                now = System.nanoTime();
                if (due > now) {
                    scheduleWake(due, now);
                    break;
                }
            }
            if (!sendNewPacket(ch, now, due)) {
                break;
            }
            written++;
        }
        if (written > 0) {
            ch.flush();
        }
        if (written == BATCH_PACKETS) {
            queuePump(); // let ACKs in before the next batch
        }
        // Only a retry still to come needs a wake. One already due was held back by the window,
        // the channel's writability or a resend, and the ACK or writability change that frees
        // it pumps again; a wake now would find it held back still, and spin.
        PendingRetry retry = retries.peek();
        if (retry != null && retry.dueNs() > now) {
            scheduleWake(retry.dueNs(), now);
        }
        maybeFinish();
    }

    private boolean sendNewPacket(Channel ch, long nowNs, long intendedNs) {
        if (!source.ready()) {
            if (source.exhausted()) {
                stopProducing(true);
            } else {
                sourceWasDry = true;
            }
            return false; // else the source wakes the pump when it has more
        }
        if (sourceWasDry) { // found before its wakeup ran (onSourceReady)
            resumeAfterDrySource(nowNs);
            intendedNs = Math.max(intendedNs, pacer.nextDueNs(nowNs));
        }
        if (run.budget != null && !run.budget.tryTake()) {
            stopProducing(true);
            return false;
        }
        ByteBuf frame = ch.alloc().directBuffer(source.frameBytesHint(maxPacketBytes));
        int frameStart = frame.writerIndex();
        Frames.writePacketHeader(frame, 0); // length patched below, once the packet is built
        writer.begin(frame, emitterId, unacked.highestSent() + 1, clock.epochMicros(nowNs), source.priority(priorities));
        int messages = source.fill(writer, maxPacketBytes);
        int packetLength = writer.finish();
        frame.setInt(frameStart + FrameDescriptor.LENGTH_OFFSET, FrameDescriptor.lengthFieldFor(packetLength));
        int payload = packetLength - PacketDescriptor.HEADER_LENGTH
            - messages * PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
        unacked.append(frame, intendedNs, messages, payload);
        ch.write(frame.retainedDuplicate(), ch.voidPromise());
        counters.add(SessionCounters.PACKETS_SENT, 1);
        counters.add(SessionCounters.MESSAGES_SENT, messages);
        if (pacer.paced()) {
            run.sendLag.recordMicros((nowNs - intendedNs) / 1_000);
        }
        pacer.onSent(messages);
        return true;
    }

    /**
     * Sends a refused packet's messages again under the next sequence: a copy of its
     * frame with the new sequence and a new CRC. (A fresh sequence, not the refused one,
     * so that a cumulative ACK crossing the NACK cannot pass for an ACK of the resend.)
     */
    private void sendRetry(Channel ch, PendingRetry retry) {
        ByteBuf old = retry.frame();
        ByteBuf frame = ch.alloc().directBuffer(old.readableBytes());
        frame.writeBytes(old, old.readerIndex(), old.readableBytes());
        old.release();
        int packet = frame.readerIndex() + Frames.PACKET_HEADER_LENGTH;
        int packetLength = frame.readableBytes() - Frames.PACKET_HEADER_LENGTH;
        frame.setLong(packet + PacketDescriptor.SEQUENCE_OFFSET, unacked.highestSent() + 1);
        frame.setInt(packet + PacketDescriptor.CRC_OFFSET, resent.wrap(frame, packet, packetLength).computeCrc());
        unacked.append(frame, retry.intendedNs(), retry.messages(), retry.payloadBytes());
        ch.write(frame.retainedDuplicate(), ch.voidPromise());
        // A new sequence, but not new messages: messagesSent counts each message once.
        counters.add(SessionCounters.PACKETS_SENT, 1);
    }

    // ---------------------------------------------------------------- state machine

    State state() {
        return state;
    }

    private void moveTo(State next) {
        boolean allowed;
        switch (state) {
            case NEW:
                allowed = next == State.CONNECTING || next == State.FINISHED;
                break;
            case CONNECTING:
                allowed = next == State.HANDSHAKING || next == State.BACKING_OFF || next == State.FINISHED;
                break;
            case HANDSHAKING:
                allowed = next == State.STREAMING || next == State.BACKING_OFF || next == State.FINISHED;
                break;
            case STREAMING:
                allowed = next == State.PARTING || next == State.BACKING_OFF || next == State.FINISHED;
                break;
            case PARTING:
                allowed = next == State.BACKING_OFF || next == State.FINISHED;
                break;
            case BACKING_OFF:
                allowed = next == State.CONNECTING || next == State.FINISHED;
                break;
            case FINISHED:
                allowed = false;
                break;
            default:
                throw new IllegalStateException("unknown state " + state);
        }
        if (!allowed) {
            throw new IllegalStateException("emitter " + emitterId + ": no transition " + state + " -> " + next);
        }
        state = next;
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
