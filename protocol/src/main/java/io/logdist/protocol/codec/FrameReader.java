package io.logdist.protocol.codec;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * Reads the fields of a frame handed up by {@link FrameDecoder}. Offsets are relative to
 * the frame's {@code readerIndex()}; nothing is consumed or copied. Fixed-size bodies are
 * checked for their exact size and variable ones parsed to their exact end: a mismatch
 * throws {@link MalformedFrameException} ({@link ErrorCode#MALFORMED_FRAME}).
 *
 * <p>Stateless; any thread.
 */
public final class FrameReader {
    private FrameReader() {
    }

    public static FrameType type(ByteBuf frame) {
        return FrameType.of(frame.getUnsignedByte(frame.readerIndex() + FrameDescriptor.TYPE_OFFSET));
    }

    /** Body length: the frame's {@code length} minus the 4 bytes of version, type and flags. */
    public static int bodyLength(ByteBuf frame) {
        return frame.readableBytes() - FrameDescriptor.HEADER_LENGTH;
    }

    /** Index of the first body byte within the frame buffer. */
    public static int bodyIndex(ByteBuf frame) {
        return frame.readerIndex() + FrameDescriptor.BODY_OFFSET;
    }

    /** The u64 body of ACK, PING or PONG, after checking the body is exactly 8 bytes. */
    public static long u64Body(ByteBuf frame) {
        if (bodyLength(frame) != 8) {
            throw new MalformedFrameException(type(frame) + " body must be 8 bytes, was " + bodyLength(frame));
        }
        return frame.getLong(bodyIndex(frame));
    }

    /** The packet bytes of a PACKET frame as a slice (not retained). */
    public static ByteBuf packetOfPacketFrame(ByteBuf frame) {
        return frame.slice(bodyIndex(frame), bodyLength(frame));
    }

    /** The deliveryId of a DELIVER frame; the body must hold at least the id. */
    public static long deliveryId(ByteBuf frame) {
        if (bodyLength(frame) < 8) {
            throw new MalformedFrameException("DELIVER body must hold a deliveryId, had " + bodyLength(frame) + " bytes");
        }
        return frame.getLong(bodyIndex(frame));
    }

    /** The packet bytes of a DELIVER frame as a slice (not retained); the data path reads them in place instead. */
    public static ByteBuf packetOfDeliverFrame(ByteBuf frame) {
        deliveryId(frame); // checks the body holds the id
        return frame.slice(deliverPacketIndex(frame), deliverPacketLength(frame));
    }

    /** Where a DELIVER frame's packet starts, after its deliveryId (read {@link #deliveryId} first: it checks the body). */
    public static int deliverPacketIndex(ByteBuf frame) {
        return bodyIndex(frame) + 8;
    }

    /** Length of a DELIVER frame's packet (read {@link #deliveryId} first: it checks the body). */
    public static int deliverPacketLength(ByteBuf frame) {
        return bodyLength(frame) - 8;
    }

    /** Checks that GOODBYE has the empty body the protocol gives it. */
    public static void checkEmptyBody(ByteBuf frame) {
        if (bodyLength(frame) != 0) {
            throw new MalformedFrameException(type(frame) + " body must be empty, was " + bodyLength(frame) + " bytes");
        }
    }

    /** HELLO fields. */
    public record Hello(int role, long id, long window, String name, String token) {
    }

    /** WELCOME fields. */
    public record Welcome(long window, long maxFrameLength, long ackedThrough, String serverName) {
    }

    /** NACK fields. */
    public record Nack(long id, ErrorCode code, int rawCode, long retryAfterMillis, String reason) {
    }

    /** ERROR fields. */
    public record Error(ErrorCode code, int rawCode, String reason) {
    }

    public static Hello hello(ByteBuf frame) {
        Cursor c = new Cursor(frame);
        int role = c.u8();
        long id = c.u64();
        long window = c.u32();
        String name = c.str();
        String token = c.str();
        c.end();
        return new Hello(role, id, window, name, token);
    }

    public static Welcome welcome(ByteBuf frame) {
        Cursor c = new Cursor(frame);
        long window = c.u32();
        long max = c.u32();
        long ackedThrough = c.u64();
        String serverName = c.str();
        c.end();
        return new Welcome(window, max, ackedThrough, serverName);
    }

    public static Nack nack(ByteBuf frame) {
        Cursor c = new Cursor(frame);
        long id = c.u64();
        int code = c.u16();
        long retry = c.u32();
        String reason = c.str();
        c.end();
        return new Nack(id, ErrorCode.of(code), code, retry, reason);
    }

    public static Error error(ByteBuf frame) {
        Cursor c = new Cursor(frame);
        int code = c.u16();
        String reason = c.str();
        c.end();
        return new Error(ErrorCode.of(code), code, reason);
    }

    /** Bounds-checked sequential reader over one frame body. */
    private static final class Cursor {
        private final ByteBuf frame;
        private final FrameType type;
        private int index;
        private final int end;

        Cursor(ByteBuf frame) {
            this.frame = frame;
            this.type = type(frame);
            this.index = bodyIndex(frame);
            this.end = frame.writerIndex();
        }

        private void need(int n) {
            if (end - index < n) {
                throw new MalformedFrameException(type + " body is truncated");
            }
        }

        int u8() {
            need(1);
            return frame.getUnsignedByte(index++);
        }

        int u16() {
            need(2);
            int v = frame.getUnsignedShort(index);
            index += 2;
            return v;
        }

        long u32() {
            need(4);
            long v = frame.getUnsignedInt(index);
            index += 4;
            return v;
        }

        long u64() {
            need(8);
            long v = frame.getLong(index);
            index += 8;
            return v;
        }

        String str() {
            int len = u16();
            need(len);
            String s = frame.toString(index, len, StandardCharsets.UTF_8);
            index += len;
            return s;
        }

        void end() {
            if (index != end) {
                throw new MalformedFrameException(type + " body has " + (end - index) + " bytes left over");
            }
        }
    }
}
