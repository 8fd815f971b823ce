package io.logdist.protocol.testing;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameReader;
import io.logdist.protocol.codec.FrameType;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/**
 * One LDP/1 frame as plain values: {@link #writeTo} encodes it with {@link Frames},
 * {@link #read} decodes a frame with {@link FrameReader}, so a round trip is an equality.
 */
public sealed interface FrameModel {
    FrameType type();

    /** Appends the whole frame to {@code out}. */
    void writeTo(ByteBuf out);

    default byte[] toBytes() {
        ByteBuf out = Unpooled.buffer();
        try {
            writeTo(out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Reads one whole frame as handed up by the decoder (not consumed). */
    static FrameModel read(ByteBuf frame) {
        FrameType type = FrameReader.type(frame);
        return switch (type) {
            case HELLO -> {
                FrameReader.Hello h = FrameReader.hello(frame);
                yield new Hello(h.role(), h.id(), h.window(), h.name(), h.token());
            }
            case WELCOME -> {
                FrameReader.Welcome w = FrameReader.welcome(frame);
                yield new Welcome(w.window(), w.maxFrameLength(), w.ackedThrough(), w.serverName());
            }
            case PACKET -> new Packet(PacketModel.read(new PacketFlyweight().wrap(FrameReader.packetOfPacketFrame(frame))));
            case DELIVER -> new Deliver(FrameReader.deliveryId(frame),
                PacketModel.read(new PacketFlyweight().wrap(FrameReader.packetOfDeliverFrame(frame))));
            case ACK -> new Ack(FrameReader.u64Body(frame));
            case NACK -> {
                FrameReader.Nack n = FrameReader.nack(frame);
                yield new Nack(n.id(), n.code(), n.retryAfterMillis(), n.reason());
            }
            case PING -> new Ping(FrameReader.u64Body(frame));
            case PONG -> new Pong(FrameReader.u64Body(frame));
            case ERROR -> {
                FrameReader.Error e = FrameReader.error(frame);
                yield new Error(e.code(), e.reason());
            }
            case GOODBYE -> {
                FrameReader.checkEmptyBody(frame);
                yield new Goodbye();
            }
            default -> throw new AssertionError("unexpected frame type " + type);
        };
    }

    record Hello(int role, long id, long window, String name, String token) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.HELLO;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeHello(out, role, id, window, name, token);
        }
    }

    record Welcome(long window, long maxFrameLength, long ackedThrough, String serverName) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.WELCOME;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeWelcome(out, window, maxFrameLength, ackedThrough, serverName);
        }
    }

    record Packet(PacketModel packet) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.PACKET;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writePacketHeader(out, packet.encodedLength());
            packet.writeTo(out, new PacketWriter());
        }
    }

    record Deliver(long deliveryId, PacketModel packet) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.DELIVER;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeDeliverHeader(out, deliveryId, packet.encodedLength());
            packet.writeTo(out, new PacketWriter());
        }
    }

    record Ack(long through) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.ACK;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeAck(out, through);
        }
    }

    record Nack(long id, ErrorCode code, long retryAfterMillis, String reason) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.NACK;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeNack(out, id, code, retryAfterMillis, reason);
        }
    }

    record Ping(long nonce) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.PING;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writePing(out, nonce);
        }
    }

    record Pong(long nonce) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.PONG;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writePong(out, nonce);
        }
    }

    record Error(ErrorCode code, String reason) implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.ERROR;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeError(out, code, reason);
        }
    }

    record Goodbye() implements FrameModel {
        @Override
        public FrameType type() {
            return FrameType.GOODBYE;
        }

        @Override
        public void writeTo(ByteBuf out) {
            Frames.writeGoodbye(out);
        }
    }
}
