package io.logdist.emitter;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameError;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.MalformedFrameException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/**
 * The handler of one connection to the distributor: parses each frame the
 * {@link io.logdist.protocol.codec.FrameDecoder} hands up, passes it to the
 * {@link EmitterSession} as an event, and releases it. All connection state lives in
 * the session, which ignores events from a channel it has already replaced.
 *
 * <p>One per channel; runs on the channel's event loop, which is the session's.
 */
final class EmitterConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(EmitterConnection.class);

    private final EmitterSession session;

    EmitterConnection(EmitterSession session) {
        this.session = session;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        session.onConnected(ctx.channel());
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        session.onDisconnected(ctx.channel());
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            session.onWritable(ctx.channel());
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel ch = ctx.channel();
        if (msg instanceof FrameError) {
            FrameError error = (FrameError) msg;
            session.onBrokenStream(ch, error.code(), error.reason());
            return;
        }
        ByteBuf frame = (ByteBuf) msg;
        try {
            dispatch(ch, frame);
        } catch (MalformedFrameException e) {
            session.onBrokenStream(ch, e.code(), e.getMessage());
        } finally {
            frame.release();
        }
    }

    private void dispatch(Channel ch, ByteBuf frame) {
        switch (FrameReader.type(frame)) {
            case WELCOME:
                session.onWelcome(ch, FrameReader.welcome(frame));
                break;
            case ACK:
                session.onAck(ch, FrameReader.u64Body(frame));
                break;
            case NACK:
                session.onNack(ch, FrameReader.nack(frame));
                break;
            case PING:
                session.onPing(ch, FrameReader.u64Body(frame));
                break;
            case PONG:
                session.onPong(ch, FrameReader.u64Body(frame));
                break;
            case ERROR:
                session.onError(ch, FrameReader.error(frame));
                break;
            case GOODBYE:
                FrameReader.checkEmptyBody(frame);
                session.onGoodbye(ch);
                break;
            case HELLO:
            case PACKET:
            case DELIVER:
                session.onBrokenStream(ch, ErrorCode.PROTOCOL_VIOLATION,
                    FrameReader.type(frame) + " is not sent to an emitter");
                break;
            case UNKNOWN:
            default:
                throw new IllegalStateException("the frame decoder passed up an unknown frame type");
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and failed writes on a dying connection are routine: reconnecting handles them.
        if (cause instanceof IOException) {
            log.debug("emitter {}: connection error: {}", session.emitterId(), cause.toString());
        } else {
            log.warn("emitter {}: unexpected error on the connection: {}", session.emitterId(), cause.toString());
        }
        ctx.close();
    }
}
