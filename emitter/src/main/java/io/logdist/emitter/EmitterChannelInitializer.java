package io.logdist.emitter;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.codec.FrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

import java.util.concurrent.TimeUnit;

/**
 * Assembles the pipeline of a connection to the distributor: frame decoder, idle
 * detection (to PING when nothing was written for a while, and to reconnect when nothing
 * was heard for a minute) and the connection handler.
 *
 * <p>One per session; runs on the session's event loop.
 */
final class EmitterChannelInitializer extends ChannelInitializer<Channel> {
    static final long PING_AFTER_IDLE_SECONDS = 5;
    /** Periods of {@link #PING_AFTER_IDLE_SECONDS} with nothing from the distributor, not even a PONG, before reconnecting. */
    // A minute: a distributor that holds this emitter back (--overflow block, a slow analyzer)
    // reads none of its PINGs, and its next ACK can take tens of seconds.
    static final int SILENT_PERIODS = 12;

    private final EmitterSession session;

    EmitterChannelInitializer(EmitterSession session) {
        this.session = session;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(
            new FrameDecoder(FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH),
            new IdleTimer(PING_AFTER_IDLE_SECONDS, TimeUnit.SECONDS, SILENT_PERIODS,
                () -> session.onWriterIdle(ch), () -> session.onSilent(ch, PING_AFTER_IDLE_SECONDS * SILENT_PERIODS)),
            new EmitterConnection(session));
    }
}
