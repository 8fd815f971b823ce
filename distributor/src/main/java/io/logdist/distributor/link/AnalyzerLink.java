package io.logdist.distributor.link;

import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.queue.PacketList;
import io.logdist.distributor.queue.PriorityQueues;
import io.logdist.distributor.queue.UnackedDeliveries;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.codec.MalformedFrameException;
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
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The distributor's connection to one analyzer: it dials, says HELLO (role 2), and feeds
 * DELIVERs from 256 {@link PriorityQueues} while at most {@code window} are
 * unacknowledged; a cumulative ACK settles a prefix of {@link UnackedDeliveries} and
 * hands each packet back to its emitter's loop as safe.
 *
 * <p>When the connection drops (or cannot be made), every packet the link held, queued
 * or unacknowledged, is rerouted at once through its loop's router (the link has already
 * left the routing table), and the link redials with {@link Backoff}. deliveryIds
 * restart at 1 on every new connection.
 *
 * <p>State machine: {@code CONNECTING} → {@code HANDSHAKE} (HELLO sent) → {@code UP} →
 * {@code BACKOFF} → {@code CONNECTING} …; {@code CLOSED} is final.
 *
 * <p>Thread: confined to its event loop, except {@link #offer(Packet)} (any loop: a
 * many-to-one inbox plus a single scheduled drain) and the read-only statistics.
 */
public final class AnalyzerLink {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerLink.class);
    private static final int INBOX_CAPACITY = 1 << 14;
    private static final long HANDSHAKE_TIMEOUT_MS = 5_000;

    enum State { CONNECTING, HANDSHAKE, UP, BACKOFF, CLOSED }

    private final AnalyzerSpec spec;
    private final LoopContext loop;
    private final RoutingTables tables;
    private final Transport transport;
    private final LinkSettings settings;
    private final ManyToOneConcurrentArrayQueue<Packet> inbox = new ManyToOneConcurrentArrayQueue<>(INBOX_CAPACITY);
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainInbox = this::drainInbox;
    private final PriorityQueues queues = new PriorityQueues();
    private final UnackedDeliveries unacked = new UnackedDeliveries();
    private final Backoff backoff;
    private State state = State.CONNECTING;
    private volatile boolean routable;
    private Channel channel;
    private ScheduledFuture<?> handshakeTimeout;
    private long nextDeliveryId;
    private int window;
    // Statistics: written only by the link's loop, read by anyone.
    private volatile long packetsDelivered;
    private volatile long messagesDelivered;
    private volatile long reroutedAway;
    private volatile long connects;

    public AnalyzerLink(AnalyzerSpec spec, LoopContext loop, RoutingTables tables, Transport transport, LinkSettings settings) {
        this.spec = spec;
        this.loop = loop;
        this.tables = tables;
        this.transport = transport;
        this.settings = settings;
        this.backoff = new Backoff(settings.reconnectBaseMs(), settings.reconnectMaxMs(), () -> ThreadLocalRandom.current().nextLong());
    }

    public AnalyzerSpec spec() {
        return spec;
    }

    /** True while the link is up and takes part in routing. Any thread. */
    public boolean isRoutable() {
        return routable;
    }

    public long packetsDelivered() {
        return packetsDelivered;
    }

    public long messagesDelivered() {
        return messagesDelivered;
    }

    /** Packets this link held when it failed and handed back for rerouting. */
    public long reroutedAway() {
        return reroutedAway;
    }

    public long connects() {
        return connects;
    }

    /** Starts dialling. Any thread. */
    public void start() {
        loop.eventLoop().execute(this::connect);
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
            if (channel != null) {
                channel.close();
            } else {
                releaseHeld();
            }
        });
    }

    private void releaseHeld() {
        PacketList held = new PacketList();
        unacked.drainTo(held);
        queues.drainTo(held);
        inbox.drain(held::add);
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
        if (!inbox.offer(p)) {
            return false;
        }
        if (!drainScheduled.get() && drainScheduled.compareAndSet(false, true)) {
            loop.eventLoop().execute(drainInbox);
        }
        return true;
    }

    private void drainInbox() {
        drainScheduled.set(false);
        if (state == State.UP) {
            inbox.drain(queues::add);
            doSend();
        } else {
            // Routed here just as the link went down: route again, it was never delivered.
            inbox.drain(loop::route);
        }
    }

    /** Writes DELIVERs while the window and the channel allow, then flushes once. */
    private int doSend() {
        if (state != State.UP) {
            return 0;
        }
        Channel ch = channel;
        int written = 0;
        while (unacked.size() < window && ch.isWritable()) {
            Packet p = queues.poll();
            if (p == null) {
                break;
            }
            p.deliveryId = ++nextDeliveryId;
            p.refusedByAnalyzer = false;
            ByteBuf header = ch.alloc().buffer(Frames.DELIVER_HEADER_LENGTH);
            Frames.writeDeliverHeader(header, p.deliveryId, p.length());
            ch.write(header, ch.voidPromise());
            // The link keeps its own reference for a reroute; the channel releases the duplicate once written.
            ch.write(p.bytes.retainedDuplicate(), ch.voidPromise());
            unacked.add(p);
            written++;
        }
        if (written > 0) {
            ch.flush();
        }
        return written;
    }

    private void connect() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CONNECTING;
        Bootstrap b = new Bootstrap()
            .group(loop.eventLoop())
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2_000)
            .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024))
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new FrameDecoder(settings.maxFrameLength()), new LinkHandler());
                }
            });
        ChannelFuture f = b.connect(spec.address().toSocketAddress());
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
                sendErrorAndClose(ch, ErrorCode.PROTOCOL_VIOLATION, "no WELCOME within " + HANDSHAKE_TIMEOUT_MS + " ms");
            }
        }, HANDSHAKE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }

    private void onFrame(Channel ch, ByteBuf frame) {
        FrameType type = FrameReader.type(frame);
        if (state == State.HANDSHAKE) {
            if (type == FrameType.WELCOME) {
                onWelcome(FrameReader.welcome(frame));
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
            case PONG -> FrameReader.u64Body(frame);
            case GOODBYE -> {
                FrameReader.checkEmptyBody(frame);
                LOG.info("analyzer {} said GOODBYE; no new packets go to it", spec.name());
                setRoutable(false);
            }
            case ERROR -> onError(ch, FrameReader.error(frame));
            default -> sendErrorAndClose(ch, ErrorCode.PROTOCOL_VIOLATION, type + " is not allowed from an analyzer");
        }
    }

    private void onWelcome(FrameReader.Welcome welcome) {
        handshakeTimeout.cancel(false);
        window = (int) Math.max(1, Math.min(welcome.window(), settings.linkWindow()));
        nextDeliveryId = 0;
        state = State.UP;
        backoff.reset();
        connects++;
        LOG.info("analyzer {} up at {} (window {}, server '{}')", spec.name(), spec.address(), window, welcome.serverName());
        setRoutable(true);
        drainInbox();
    }

    private void onAck(long through) {
        Packet p;
        long packets = 0;
        long messages = 0;
        while ((p = unacked.pollThrough(through)) != null) {
            if (p.refusedByAnalyzer) {
                reroute(p);
                continue;
            }
            packets++;
            messages += p.count;
            p.releaseBytes();
            p.ledger.owner().settle(p);
        }
        if (packets > 0) {
            packetsDelivered += packets;
            messagesDelivered += messages;
        }
        doSend();
    }

    private void onNack(FrameReader.Nack nack) {
        Packet p = unacked.find(nack.id());
        LOG.warn("analyzer {} refused delivery {} with {} ({}): {}; it will be rerouted", spec.name(), nack.id(), nack.rawCode(), nack.code(), nack.reason());
        if (p != null) {
            p.refusedByAnalyzer = true;
        }
    }

    private void onError(Channel ch, FrameReader.Error error) {
        LOG.warn("analyzer {} sent ERROR {} ({}): {}", spec.name(), error.rawCode(), error.code(), error.reason());
        ch.close();
    }

    private void sendErrorAndClose(Channel ch, ErrorCode code, String reason) {
        LOG.warn("analyzer {}: {}; closing the link", spec.name(), reason);
        ch.writeAndFlush(Frames.error(ch.alloc(), code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    private void reroute(Packet p) {
        p.reroutes++;
        p.deliveryId = 0;
        p.refusedByAnalyzer = false;
        reroutedAway++;
        loop.route(p);
    }

    /** The connection is gone (or never came): leave routing, reroute everything held, redial later. */
    private void onDown(String reason) {
        if (handshakeTimeout != null) {
            handshakeTimeout.cancel(false);
        }
        boolean wasUp = state == State.UP;
        setRoutable(false);
        channel = null;
        if (state == State.CLOSED) {
            releaseHeld();
            return;
        }
        PacketList held = new PacketList();
        unacked.drainTo(held);
        queues.drainTo(held);
        int n = held.size();
        Packet p;
        while ((p = held.poll()) != null) {
            reroute(p);
        }
        inbox.drain(loop::route);
        state = State.BACKOFF;
        long delay = backoff.nextDelayMs();
        if (wasUp) {
            LOG.warn("analyzer {} down ({}); {} packets rerouted; reconnecting in {} ms", spec.name(), reason, n, delay);
        } else if (backoff.failures() == 1 || backoff.failures() % 20 == 0) {
            LOG.warn("analyzer {} at {} unavailable ({}); retrying, next in {} ms", spec.name(), spec.address(), reason, delay);
        }
        loop.eventLoop().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void setRoutable(boolean value) {
        if (routable != value) {
            routable = value;
            tables.publish();
        }
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
            LOG.debug("analyzer {}: {}", spec.name(), cause.toString());
            ctx.close();
        }
    }
}
