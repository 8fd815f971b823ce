package io.logdist.distributor.link;

import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.logging.RateLimitedLog;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.loop.LoopNotAnswering;
import io.logdist.distributor.loop.LoopInbox;
import io.logdist.distributor.loop.LoopLatency;
import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.queue.PacketList;
import io.logdist.distributor.queue.PriorityQueues;
import io.logdist.distributor.queue.UnackedDeliveries;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.codec.MalformedFrameException;
import io.logdist.protocol.transport.Backoff;
import io.logdist.protocol.transport.HostResolver;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One of the distributor's connections to an analyzer, the one on its event loop (an
 * analyzer has one on each, {@link AnalyzerLinks}): it dials, says HELLO (role 2), and feeds
 * DELIVERs from 256 {@link PriorityQueues} while at most {@code window} are
 * unacknowledged; a cumulative ACK settles a prefix of {@link UnackedDeliveries} and
 * hands each packet back to its emitter's loop as safe.
 *
 * <p><b>Failure.</b> The link is down when its connection drops or cannot be made, when a
 * PING goes unanswered for the link timeout, or when DELIVERs are outstanding and no ACK
 * has come for the link timeout (a <em>stalled</em> analyzer: alive socket, no
 * progress). It then leaves the routing table and reroutes everything it held, queued
 * or unacknowledged, through its loop's router; a packet rerouted more than
 * {@code maxRetries} times goes to the dead-letter file instead. It redials with
 * {@link Backoff}; a {@link CircuitBreaker} ejects an analyzer that keeps failing for
 * growing times. A link that comes back ramps its weight up ({@link SlowStart}).
 *
 * <p><b>Backpressure.</b> Bytes queued here (inbox + priority queues) are counted; above
 * {@code queueBytes} emitter sessions that route here pause reading and register a
 * wake-up, run once the queue is below half of it. The analyzer connection itself never
 * stops reading: its ACKs free space.
 *
 * <p><b>Draining.</b> A drained link takes no new packets but finishes what it holds, then
 * stays connected and idle; a removed link drains and then closes.
 *
 * <p>State machine of the connection: {@code CONNECTING} → {@code HANDSHAKE} (HELLO sent)
 * → {@code UP} → {@code BACKOFF} (or {@code EJECTED}) → {@code CONNECTING} …; {@code CLOSED}
 * is final.
 *
 * <p>Thread: confined to its event loop, except {@link #offer}, {@link #isOverHighWatermark},
 * {@link #awaitRoom}, {@link #drainRoundTrip}, the control methods (which post tasks) and
 * the volatile counters.
 */
public final class AnalyzerLink {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerLink.class);
    /** A misbehaving analyzer can NACK every delivery: one warning per analyzer per 10 s. */
    private static final RateLimitedLog NACK_WARNINGS = new RateLimitedLog(LOG, 10_000);
    private static final int INBOX_CAPACITY = 1 << 14;
    private static final long HANDSHAKE_TIMEOUT_MS = 5_000;
    private static final long SLOW_START_STEP_MS = 200;

    enum State { CONNECTING, HANDSHAKE, UP, BACKOFF, EJECTED, CLOSED }

    private final AnalyzerSpec spec;
    /** The analyzer this is one connection to; its other links are on the other loops. */
    private final AnalyzerLinks analyzer;
    /** The analyzer's name, and which of its connections this is when it has several: for the log. */
    private final String label;
    private final LoopContext loop;
    private final RoutingTables tables;
    private final Transport transport;
    private final LinkSettings settings;
    private final DeadLetters deadLetters;
    private final LongSupplier clock;
    private final LoopInbox<Packet> inbox;
    /** Held, not written at the call: a method reference to an instance is a new object each time it is evaluated. */
    private final Consumer<Packet> enqueue;
    private final PriorityQueues queues = new PriorityQueues();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final Backoff backoff;
    private final CircuitBreaker breaker;
    /** Bytes in the inbox and the priority queues; written by any loop (offer) and this one. */
    private final AtomicLong queuedBytes = new AtomicLong();
    private final ManyToOneConcurrentLinkedQueue<Runnable> roomWaiters = new ManyToOneConcurrentLinkedQueue<>();
    /** DELIVER written to its ACK read, in microseconds; this loop writes, the metrics scrape reads. */
    private final LoopLatency roundTrip = new LoopLatency();
    private final CompletableFuture<Void> removed = new CompletableFuture<>();
    /** This link's share of the analyzer's {@code queueBytes}, and half of it. */
    private final long highWatermark;
    private final long lowWatermark;
    private State state = State.CONNECTING;
    private volatile boolean routable;
    private volatile boolean draining;
    private volatile boolean removing;
    private volatile String lastFailure = "";
    private volatile long upSinceNs;
    /** The ramp of the current connection; 0 when it came up at full weight. Written before routable is set. */
    private volatile long slowStartNs;
    /** Configured analyzers start at full weight; one that comes back (or is added at runtime) ramps up. */
    private boolean rampOnUp;
    private Channel channel;
    private ScheduledFuture<?> handshakeTimeout;
    private ScheduledFuture<?> healthCheck;
    private long nextDeliveryId;
    private int window;
    /** The analyzer's maxFrameLength from its WELCOME: no DELIVER may be longer. */
    private long analyzerMaxFrameLength = FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH;
    private long lastProgressNs;
    private long lastReadNs;
    private long pingSentNs;
    private long pingNonce;
    private boolean stalled;
    /** The current connection proved healthy (ACKs flowed, or it stayed up a link timeout): only then is a flap forgiven. */
    private boolean confirmed;
    // Statistics: written only by the link's loop, read by anyone.
    private volatile long packetsDelivered;
    private volatile long messagesDelivered;
    private volatile long bytesDelivered;
    private volatile long reroutedAway;
    private volatile long connects;

    /**
     * @param analyzer the analyzer's links, of which this is number {@code lane} (from 0) of {@code lanes}
     * @param loop     the event loop this link lives on
     */
    AnalyzerLink(AnalyzerLinks analyzer, int lane, int lanes, AnalyzerSpec spec, LoopContext loop, RoutingTables tables,
                 Transport transport, LinkSettings settings, DeadLetters deadLetters, boolean slowStartFirstConnection) {
        this.analyzer = analyzer;
        this.spec = spec;
        this.label = lanes == 1 ? spec.name() : spec.name() + " (connection " + (lane + 1) + " of " + lanes + ")";
        this.rampOnUp = slowStartFirstConnection;
        this.loop = loop;
        this.inbox = new LoopInbox<>(INBOX_CAPACITY, loop.eventLoop(), this::drainInbox);
        this.tables = tables;
        this.transport = transport;
        this.settings = settings;
        this.deadLetters = deadLetters;
        this.clock = System::nanoTime;
        this.enqueue = queues::add;
        this.backoff = new Backoff(settings.reconnectBaseMs(), Math.max(settings.reconnectBaseMs(), settings.reconnectMaxMs()), new SplittableRandom());
        this.breaker = new CircuitBreaker(settings.failureThreshold(), TimeUnit.MILLISECONDS.toNanos(settings.ejectionBaseMs()),
            TimeUnit.MILLISECONDS.toNanos(settings.ejectionMaxMs()), TimeUnit.MILLISECONDS.toNanos(settings.ejectionDecayMs()));
        this.highWatermark = Math.max(1, settings.queueBytes() / lanes);
        this.lowWatermark = highWatermark / 2;
    }

    public AnalyzerSpec spec() {
        return spec;
    }

    public String name() {
        return spec.name();
    }

    /** The analyzer this link is one connection to. Any thread. */
    public AnalyzerLinks analyzer() {
        return analyzer;
    }

    /** The event loop this link lives on. Any thread. */
    public LoopContext loop() {
        return loop;
    }

    /** True while the link is up, not draining, not held off by its analyzer, and takes part in routing. Any thread. */
    public boolean isRoutable() {
        return routable && !draining && !analyzer.isHeldOff();
    }

    /** The analyzer's configured weight (held once, by {@link AnalyzerLinks}). Any thread. */
    public double weight() {
        return analyzer.weight();
    }

    /** The weight routing uses now: the configured one, ramped while slow-starting. Any thread. */
    public double effectiveWeight() {
        return SlowStart.effectiveWeight(analyzer.weight(), clock.getAsLong() - upSinceNs, slowStartNs);
    }

    private boolean slowStarting() {
        return slowStartNs > 0 && clock.getAsLong() - upSinceNs < slowStartNs;
    }

    public long packetsDelivered() {
        return packetsDelivered;
    }

    public long messagesDelivered() {
        return messagesDelivered;
    }

    /** Packets this link handed back for rerouting (it failed, or the analyzer NACKed them). */
    public long reroutedAway() {
        return reroutedAway;
    }

    public long connects() {
        return connects;
    }

    /** Starts dialling. Any thread. */
    void start() {
        loop.eventLoop().execute(this::connect);
    }

    /**
     * Takes no new packets; finishes what it holds, then stays connected and idle. Any thread.
     * The draining starts once; a later call (a removal after a drain) only checks whether it is done.
     */
    void drain() {
        boolean first = !draining;
        if (first) {
            draining = true;
            tables.publish();
        }
        loop.eventLoop().execute(() -> {
            if (first) {
                // Packets already routed here but not yet written go elsewhere now.
                inbox.drain(this::rerouteUndelivered);
                rerouteQueued();
            }
            checkRemoved();
        });
    }

    /** Drains, then closes for good; the future completes once nothing is left here. Any thread. */
    CompletableFuture<Void> remove() {
        removing = true;
        drain();
        return removed;
    }

    private void checkRemoved() {
        if (removing && unacked.isEmpty() && queues.isEmpty() && inbox.isEmpty() && !removed.isDone()) {
            close();
            removed.complete(null);
        }
    }

    /**
     * Closes the link for good, as the distributor shuts down: packets it holds are
     * released, not rerouted (none of them was ACKed to its emitter, which sends them
     * again). Any thread.
     */
    public void close() {
        loop.eventLoop().execute(() -> {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            setRoutable(false);
            cancelTimers();
            if (channel != null) {
                channel.close();
            } else {
                releaseHeld();
            }
            wakeRoomWaiters();
        });
    }

    private void releaseHeld() {
        if (removing) {
            // A router on another loop may have picked this link just before the removal was
            // published: what reached the inbox since was never delivered, and goes elsewhere.
            inbox.drain(this::rerouteUndelivered);
        }
        PacketList held = new PacketList();
        unacked.drainTo(held);
        queues.drainTo(held);
        inbox.drain(held::add);
        queuedBytes.set(0);
        Packet p;
        while ((p = held.poll()) != null) {
            p.recycle();
        }
    }

    /**
     * Hands a routed packet to this link. Any thread.
     *
     * @return false when the inbox is full (the caller keeps the packet)
     */
    public boolean offer(Packet p) {
        int length = p.length();
        if (!inbox.offer(p)) {
            return false;
        }
        queuedBytes.addAndGet(length);
        return true;
    }

    /** True when more than {@code queueBytes} wait here: senders should pause. Any thread. */
    public boolean isOverHighWatermark() {
        return queuedBytes.get() > highWatermark;
    }

    /**
     * Registers a wake-up to run (on this link's loop) once the queue is below the low
     * watermark, or the link fails. Any thread. The caller re-checks
     * {@link #isOverHighWatermark()} after registering, since the queue may have drained
     * in between.
     */
    public void awaitRoom(Runnable wakeUp) {
        roomWaiters.offer(wakeUp);
        if (!isOverHighWatermark()) {
            loop.eventLoop().execute(this::wakeRoomWaiters);
        }
    }

    private void wakeRoomWaiters() {
        Runnable r;
        while ((r = roomWaiters.poll()) != null) {
            r.run();
        }
    }

    private void drainInbox() {
        if (state == State.UP && isRoutable()) {
            inbox.drain(enqueue);
            doSend();
        } else {
            // Routed here just as the link went down, started draining or its analyzer said GOODBYE: route again, it was never delivered.
            inbox.drain(this::rerouteUndelivered);
            checkRemoved(); // a removal may have been waiting for exactly this
        }
    }

    /** Writes DELIVERs while the window and the channel allow, then flushes once. */
    private int doSend() {
        if (state != State.UP || analyzer.isHeldOff()) {
            return 0; // held off: what is queued is being routed elsewhere
        }
        Channel ch = channel;
        int written = 0;
        long bytes = 0;
        long now = 0;
        while (unacked.size() < window && ch.isWritable()) {
            Packet p = queues.poll();
            if (p == null) {
                break;
            }
            if (written == 0) {
                now = clock.getAsLong(); // one clock read per batch: they are flushed together
            }
            if (FrameDescriptor.lengthFieldFor(Frames.DELIVER_ID_LENGTH + p.length()) > analyzerMaxFrameLength) {
                tooLargeForThisAnalyzer(p);
                continue;
            }
            p.deliveredNanos = now;
            p.deliveryId = ++nextDeliveryId;
            p.refusedByAnalyzer = false;
            p.refusedForNow = false;
            int length = p.length();
            ByteBuf header = ch.alloc().buffer(Frames.DELIVER_HEADER_LENGTH);
            Frames.writeDeliverHeader(header, p.deliveryId, length);
            ch.write(header, ch.voidPromise());
            // The link keeps its own reference for a reroute; the channel releases the duplicate once written.
            ch.write(p.bytes.retainedDuplicate(), ch.voidPromise());
            if (unacked.isEmpty()) {
                lastProgressNs = now;
            }
            unacked.add(p);
            written++;
            bytes += length;
        }
        if (written > 0) {
            ch.flush();
            afterDequeue(bytes);
        }
        return written;
    }

    /**
     * A packet whose DELIVER would be longer than this analyzer's announced maxFrameLength
     * (it would answer ERROR and drop the link): routed elsewhere as a retry, so that it ends
     * in the dead-letter file if no analyzer can take it. Only an analyzer configured below
     * the distributor's {@code --max-frame-length} plus 8 sees this.
     */
    private void tooLargeForThisAnalyzer(Packet p) {
        afterDequeue(p.length());
        NACK_WARNINGS.warn("too-large:" + spec.name(),
            "analyzer {} takes frames up to {} bytes; a packet of {} bytes does not fit a DELIVER and goes elsewhere"
                + " (lower --max-frame-length to at most {} to keep such packets out)",
            label, analyzerMaxFrameLength, p.length(), analyzerMaxFrameLength - Frames.DELIVER_ID_LENGTH);
        reroute(p, "too large for analyzer " + spec.name());
    }

    private void afterDequeue(long bytes) {
        long left = queuedBytes.addAndGet(-bytes);
        if (left <= lowWatermark && !roomWaiters.isEmpty()) {
            wakeRoomWaiters();
        }
    }

    private void connect() {
        if (state == State.CLOSED || (removing && removed.isDone())) {
            return;
        }
        long now = clock.getAsLong();
        if (!breaker.allowAttempt(now)) {
            state = State.EJECTED;
            loop.eventLoop().schedule(this::connect, Math.max(1, breaker.remainingEjectionNs(now)), TimeUnit.NANOSECONDS);
            return;
        }
        state = State.CONNECTING;
        Bootstrap b = new Bootstrap()
            .group(loop.eventLoop())
            .channel(transport.socketChannel())
            .resolver(HostResolver.INSTANCE)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024))
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new FrameDecoder(settings.maxFrameLength()), new LinkHandler());
                }
            });
        // Unresolved: the resolver looks the name up off this loop.
        ChannelFuture f = b.connect(InetSocketAddress.createUnresolved(spec.address().host(), spec.address().port()));
        channel = f.channel();
        f.addListener((ChannelFutureListener) done -> {
            if (!done.isSuccess() && done.channel() == channel) {
                onDown("cannot connect: " + rootMessage(done.cause()));
            }
        });
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    private void onActive(Channel ch) {
        state = State.HANDSHAKE;
        ch.writeAndFlush(Frames.hello(ch.alloc(), Frames.ROLE_DISTRIBUTOR, settings.instanceId(), settings.linkWindow(), settings.name(), ""));
        handshakeTimeout = ch.eventLoop().schedule(() -> {
            if (state == State.HANDSHAKE && channel == ch) {
                lastFailure = "no WELCOME within " + HANDSHAKE_TIMEOUT_MS + " ms";
                sendErrorAndClose(ch, ErrorCode.PROTOCOL_VIOLATION, lastFailure);
            }
        }, HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void onFrame(Channel ch, ByteBuf frame) {
        lastReadNs = clock.getAsLong();
        FrameType type = FrameReader.type(frame);
        if (state == State.HANDSHAKE) {
            if (type == FrameType.WELCOME) {
                onWelcome(ch, FrameReader.welcome(frame));
            } else if (type == FrameType.ERROR) {
                onError(ch, FrameReader.error(frame));
            } else {
                sendErrorAndClose(ch, ErrorCode.PROTOCOL_VIOLATION, "expected WELCOME, got " + type);
            }
            return;
        }
        if (state != State.UP) {
            return;
        }
        switch (type) {
            case ACK -> onAck(FrameReader.u64Body(frame));
            case NACK -> onNack(FrameReader.nack(frame));
            case PING -> ch.writeAndFlush(Frames.pong(ch.alloc(), FrameReader.u64Body(frame)), ch.voidPromise());
            case PONG -> {
                if (FrameReader.u64Body(frame) == pingNonce) {
                    pingSentNs = 0;
                }
            }
            case GOODBYE -> {
                FrameReader.checkEmptyBody(frame);
                LOG.atInfo().addKeyValue("analyzer", spec.name()).log("analyzer {} said GOODBYE; no new packets go to it", label);
                setRoutable(false);
                rerouteQueued();
            }
            case ERROR -> onError(ch, FrameReader.error(frame));
            default -> sendErrorAndClose(ch, ErrorCode.PROTOCOL_VIOLATION, type + " is not allowed from an analyzer");
        }
    }

    private void onWelcome(Channel ch, FrameReader.Welcome welcome) {
        handshakeTimeout.cancel(false);
        if (welcome.window() == 0) { // no DELIVER could ever go out: down, and redial with backoff
            lastFailure = "analyzer granted a window of 0";
            sendErrorAndClose(ch, ErrorCode.PROTOCOL_VIOLATION, "WELCOME granted a window of 0; at least 1 is needed");
            return;
        }
        window = (int) Math.min(welcome.window(), settings.linkWindow());
        analyzerMaxFrameLength = welcome.maxFrameLength();
        nextDeliveryId = 0;
        state = State.UP;
        stalled = false;
        long now = clock.getAsLong();
        upSinceNs = now;
        slowStartNs = rampOnUp ? TimeUnit.MILLISECONDS.toNanos(settings.slowStartMs()) : 0;
        rampOnUp = true;
        lastProgressNs = now;
        lastReadNs = now;
        pingSentNs = 0;
        connects++;
        confirmed = false;
        LOG.atInfo().addKeyValue("analyzer", spec.name()).log("analyzer {} up at {} (window {}{})", label, spec.address(), window,
            slowStartNs > 0 ? ", slow start over " + settings.slowStartMs() + " ms" : "");
        setRoutable(true);
        long period = Math.max(20, settings.linkTimeoutMs() / 4);
        healthCheck = ch.eventLoop().scheduleAtFixedRate(() -> checkHealth(ch), period, period, TimeUnit.MILLISECONDS);
        if (slowStartNs > 0) {
            ch.eventLoop().schedule(() -> rampWeight(ch), SLOW_START_STEP_MS, TimeUnit.MILLISECONDS);
        }
        drainInbox();
    }

    /** Republishes the routing table while the weight ramps up, so routers see each step. */
    private void rampWeight(Channel ch) {
        if (channel != ch || state != State.UP) {
            return;
        }
        tables.publish();
        if (slowStarting()) {
            ch.eventLoop().schedule(() -> rampWeight(ch), SLOW_START_STEP_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Catches a stalled analyzer (DELIVERs outstanding, no ACK) and a silent one (PING unanswered). */
    private void checkHealth(Channel ch) {
        if (channel != ch || state != State.UP) {
            return;
        }
        long now = clock.getAsLong();
        long timeoutNs = TimeUnit.MILLISECONDS.toNanos(settings.linkTimeoutMs());
        if (!unacked.isEmpty() && now - lastProgressNs > timeoutNs) {
            stalled = true;
            lastFailure = "stalled: " + unacked.size() + " DELIVERs unacknowledged for " + TimeUnit.NANOSECONDS.toMillis(now - lastProgressNs) + " ms";
            ch.close();
            return;
        }
        if (pingSentNs != 0 && now - pingSentNs > timeoutNs) {
            lastFailure = "PING unanswered for " + TimeUnit.NANOSECONDS.toMillis(now - pingSentNs) + " ms";
            ch.close();
            return;
        }
        // An idle connection that stayed up a link timeout is healthy; one with DELIVERs
        // outstanding is confirmed only by its ACKs (onAck), or a stall would be forgiven.
        if (!confirmed && unacked.isEmpty() && now - upSinceNs > timeoutNs) {
            confirm(now);
        }
        if (pingSentNs == 0 && now - lastReadNs > timeoutNs / 2) {
            pingSentNs = now;
            ch.writeAndFlush(Frames.ping(ch.alloc(), ++pingNonce), ch.voidPromise());
        }
        breaker.onHealthy(now);
    }

    private void onAck(long through) {
        Packet p;
        long packets = 0;
        long messages = 0;
        long bytes = 0;
        long now = clock.getAsLong();
        while ((p = unacked.pollThrough(through)) != null) {
            if (p.refusedByAnalyzer) {
                reroute(p, "refused by analyzer " + spec.name());
                continue;
            }
            roundTrip.recordSince(p.deliveredNanos, now);
            packets++;
            messages += p.count;
            bytes += p.length();
            p.releaseBytes();
            p.ledger.owner().settle(p);
        }
        if (packets > 0) {
            lastProgressNs = now;
            if (!confirmed) {
                confirm(lastProgressNs);
            }
            packetsDelivered += packets;
            messagesDelivered += messages;
            bytesDelivered += bytes;
        }
        doSend();
        checkRemoved();
    }

    private void confirm(long now) {
        confirmed = true;
        backoff.reset();
        breaker.onSuccess(now);
    }

    private void onNack(FrameReader.Nack nack) {
        Packet p = unacked.find(nack.id());
        NACK_WARNINGS.warn("nack:" + spec.name(), "analyzer {} refused delivery {} with {} ({}): {}; it will be rerouted",
            label, nack.id(), nack.rawCode(), nack.code(), nack.reason());
        if (p != null) {
            p.refusedByAnalyzer = true;
            p.refusedForNow = nack.retryAfterMillis() > 0;
            if (p.refusedForNow) {
                analyzer.holdOff(this, nack.retryAfterMillis());
            }
        }
    }

    /** What is queued here goes elsewhere: its analyzer is held off ({@link AnalyzerLinks#holdOff}). Any thread. */
    void rerouteQueuedLater() {
        try {
            loop.eventLoop().execute(this::rerouteQueued);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down: nothing is routed any more.
        }
    }

    private void onError(Channel ch, FrameReader.Error error) {
        lastFailure = "analyzer sent ERROR " + error.rawCode() + " (" + error.code() + "): " + error.reason();
        LOG.atWarn().addKeyValue("analyzer", spec.name()).log("analyzer {} sent ERROR {} ({}): {}", label, error.rawCode(), error.code(), error.reason());
        ch.close();
    }

    private void sendErrorAndClose(Channel ch, ErrorCode code, String reason) {
        LOG.atWarn().addKeyValue("analyzer", spec.name()).log("analyzer {}: {}; closing the link", label, reason);
        ch.writeAndFlush(Frames.error(ch.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Routes a packet that was delivered (or tried) here again; past the retry limit it goes to the dead-letter file. */
    private void reroute(Packet p, String why) {
        // Refused for now (a NACK with a retryAfterMillis) is the analyzer's state, not the
        // packet's fault: not a retry, so a short overload sends nothing to the dead-letter file.
        boolean retry = !p.refusedForNow;
        if (retry) {
            p.reroutes++;
        }
        p.deliveryId = 0;
        p.refusedByAnalyzer = false;
        p.refusedForNow = false;
        reroutedAway++;
        if (retry && p.reroutes > settings.maxRetries()) {
            if (deadLetters.write(p, why + " (rerouted " + p.reroutes + " times)")) {
                p.releaseBytes();
                p.ledger.owner().settle(p);
            } else {
                loop.routeLater(p); // kept, never dropped; but a packet nobody takes must not spin the loop
            }
            return;
        }
        loop.route(p);
    }

    /** Routes a packet that never left this link: not a retry. */
    private void rerouteUndelivered(Packet p) {
        afterDequeue(p.length());
        loop.route(p);
    }

    /** Routes again everything queued here and not yet written. This link's loop. */
    void rerouteQueued() {
        PacketList held = new PacketList();
        queues.drainTo(held);
        Packet p;
        while ((p = held.poll()) != null) {
            rerouteUndelivered(p);
        }
        wakeRoomWaiters();
    }

    private void cancelTimers() {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        if (healthCheck != null) {
            healthCheck.cancel(false);
        }
    }

    /** The connection is gone (or never came): leave routing, reroute everything held, redial later. */
    private void onDown(String reason) {
        cancelTimers();
        boolean wasUp = state == State.UP;
        boolean connected = wasUp || state == State.HANDSHAKE;
        setRoutable(false);
        channel = null;
        if (state == State.CLOSED) {
            releaseHeld();
            return;
        }
        String why = lastFailure.isEmpty() ? reason : lastFailure;
        lastFailure = "";
        int n = unacked.size() + queues.size();
        PacketList held = new PacketList();
        unacked.drainTo(held);
        Packet p;
        while ((p = held.poll()) != null) {
            reroute(p, "analyzer " + spec.name() + " " + why);
        }
        rerouteQueued();
        inbox.drain(this::rerouteUndelivered);
        if (removing) {
            checkRemoved();
            if (removed.isDone()) {
                return;
            }
        }
        long now = clock.getAsLong();
        // A refused connection is the backoff's business; the breaker counts connections that
        // were made and then failed (dropped, stalled, no WELCOME): that is what flapping is.
        boolean ejected = connected && breaker.onFailure(now);
        state = State.BACKOFF;
        long delay = backoff.nextDelayMs();
        if (ejected) {
            LOG.atWarn().addKeyValue("analyzer", spec.name()).log("analyzer {} {} ({}); {} packets rerouted; ejected for {} ms (ejection {})", label,
                stalled ? "stalled" : "down", why, n, TimeUnit.NANOSECONDS.toMillis(breaker.currentEjectionNs()), breaker.ejections());
        } else if (wasUp) {
            LOG.atWarn().addKeyValue("analyzer", spec.name()).log("analyzer {} {} ({}); {} packets rerouted; reconnecting in {} ms", label, stalled ? "stalled" : "down", why, n, delay);
        } else if (backoff.attempts() == 1 || backoff.attempts() % 20 == 0) {
            LOG.atWarn().addKeyValue("analyzer", spec.name()).log("analyzer {} at {} unavailable ({}); retrying, next in {} ms", label, spec.address(), why, delay);
        }
        loop.eventLoop().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void setRoutable(boolean value) {
        if (routable != value) {
            routable = value;
            tables.publish();
        }
    }

    /**
     * At shutdown, after the drain timeout: takes every packet still held here and writes it
     * to the dead-letter file (then it is safe, and ACKed) or releases it (its emitter
     * was never ACKed and sends it again). Any thread; runs on the link's loop.
     *
     * @param timeoutMs how long to wait for the loop: dead letters are forced to disk one by one
     * @return packets that were neither delivered nor dead-lettered
     * @throws LoopNotAnswering when the loop did not finish in time
     */
    public long takeHeldForShutdown(DeadLetters sink, long timeoutMs) {
        try {
            return loop.eventLoop().submit(() -> {
                setRoutable(false);
                PacketList held = new PacketList();
                unacked.drainTo(held);
                queues.drainTo(held);
                inbox.drain(held::add);
                queuedBytes.set(0);
                return deadLetterOrRelease(held, sink, "undelivered at shutdown from analyzer " + spec.name());
            }).get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new LoopNotAnswering("analyzer " + spec.name(), e);
        }
    }

    /** Dead-letters (and settles) or releases each packet of {@code held}; returns how many were released. */
    public static long deadLetterOrRelease(PacketList held, DeadLetters sink, String reason) {
        long released = 0;
        Packet p;
        while ((p = held.poll()) != null) {
            if (sink.write(p, reason)) {
                p.releaseBytes();
                p.ledger.owner().settle(p);
            } else {
                p.recycle();
                released++;
            }
        }
        return released;
    }

    /**
     * Adds the round trips (DELIVER written to its ACK read, microseconds) recorded since the
     * previous call to {@code into}. Any thread, one at a time.
     */
    public void drainRoundTrip(Histogram into) {
        roundTrip.drainInto(into);
    }

    /** The admin view, taken on this link's loop. Any thread (blocks briefly). */
    public AnalyzerView view() {
        try {
            // Generous: a loaded loop (or a GC pause under paranoid leak tracking in tests) must not fail a control call.
            return loop.eventLoop().submit(this::viewHere).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new LoopNotAnswering("analyzer " + spec.name(), e);
        }
    }

    private AnalyzerView viewHere() {
        return new AnalyzerView(spec.name(), spec.address().toString(), weight(), isRoutable() ? effectiveWeight() : 0, stateName(),
            breakerName(), queues.size() + inbox.size(), queuedBytes.get(), unacked.size(), packetsDelivered, messagesDelivered,
            bytesDelivered, reroutedAway, connects, isRoutable() ? 1 : 0, 1);
    }

    private String stateName() {
        if (removed.isDone()) {
            return "removed";
        }
        if (draining) {
            return "draining";
        }
        return switch (state) {
            case UP -> !routable ? "down" : analyzer.isHeldOff() ? "paused" : slowStarting() ? "slow-start" : "up";
            case EJECTED -> "ejected";
            case BACKOFF -> breaker.state() == CircuitBreaker.State.OPEN ? "ejected" : stalled ? "stalled" : "down";
            case CONNECTING, HANDSHAKE, CLOSED -> stalled ? "stalled" : "down";
        };
    }

    private String breakerName() {
        return switch (breaker.state()) {
            case CLOSED -> "closed";
            case OPEN -> "open";
            case HALF_OPEN -> "half-open";
        };
    }

    /** Netty handler of the current connection; ignores events from connections that are no longer current. */
    private final class LinkHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                onActive(ctx.channel());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FrameError e) {
                sendErrorAndClose(ctx.channel(), e.code(), "bad frame from analyzer: " + e.reason());
                return;
            }
            ByteBuf frame = (ByteBuf) msg;
            try {
                if (ctx.channel() == channel) {
                    onFrame(ctx.channel(), frame);
                }
            } catch (MalformedFrameException e) {
                sendErrorAndClose(ctx.channel(), e.code(), e.getMessage());
            } finally {
                frame.release();
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel && ctx.channel().isWritable()) {
                doSend();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ctx.channel() == channel) {
                onDown("connection closed");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.atDebug().addKeyValue("analyzer", spec.name()).log("analyzer {}: {}", label, cause.toString());
            ctx.close();
        }
    }
}
