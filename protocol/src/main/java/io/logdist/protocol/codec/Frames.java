package io.logdist.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;

import java.nio.charset.StandardCharsets;

/**
 * Encoders for every LDP/1 frame type. Each {@code write*} appends one whole frame to a
 * buffer the caller owns, so many small frames (ACKs, DELIVER headers) can be batched in
 * one buffer and flushed once. The {@code *Header} methods write only the frame header of
 * a PACKET or DELIVER whose packet bytes follow as a separate (retained, uncopied) buffer.
 *
 * <p>Stateless; any thread.
 */
public final class Frames {
    /** Role byte of HELLO: an emitter. */
    public static final int ROLE_EMITTER = 1;
    /** Role byte of HELLO: a distributor dialling an analyzer. */
    public static final int ROLE_DISTRIBUTOR = 2;

    /** Bytes a DELIVER adds to the packet it carries: its deliveryId. */
    public static final int DELIVER_ID_LENGTH = 8;
    /** Bytes of a DELIVER frame before the packet: frame header + deliveryId. */
    public static final int DELIVER_HEADER_LENGTH = FrameDescriptor.HEADER_LENGTH + DELIVER_ID_LENGTH;
    /** Bytes of a PACKET frame before the packet. */
    public static final int PACKET_HEADER_LENGTH = FrameDescriptor.HEADER_LENGTH;
    /** Size of a whole ACK, PING or PONG frame. */
    public static final int U64_FRAME_LENGTH = FrameDescriptor.HEADER_LENGTH + 8;
    /** The most UTF-8 bytes a {@code str} field carries: its length is a u16. */
    public static final int MAX_STR_BYTES = 0xFFFF;

    private Frames() {
    }

    private static void writeHeader(ByteBuf out, FrameType type, int bodyLength) {
        out.writeInt(FrameDescriptor.lengthFieldFor(bodyLength));
        out.writeByte(FrameDescriptor.VERSION);
        out.writeByte(type.value());
        out.writeShort(0);
    }

    /** Writes a {@code str} whose size {@link #strLength} already gave: u16 byte length then UTF-8 bytes. */
    private static void writeStr(ByteBuf out, String s, int strLength) {
        out.writeShort(strLength - 2);
        out.writeCharSequence(s, StandardCharsets.UTF_8);
    }

    /** Bytes {@code s} takes as a {@code str}; refuses it before anything is written if it cannot fit. */
    private static int strLength(String s) {
        int len = ByteBufUtil.utf8Bytes(s);
        if (len > MAX_STR_BYTES) {
            throw new IllegalArgumentException("string of " + len + " bytes does not fit a str (max " + MAX_STR_BYTES + ")");
        }
        return 2 + len;
    }

    public static void writeHello(ByteBuf out, int role, long id, long window, String name, String token) {
        int nameLength = strLength(name);
        int tokenLength = strLength(token);
        writeHeader(out, FrameType.HELLO, 1 + 8 + 4 + nameLength + tokenLength);
        out.writeByte(role);
        out.writeLong(id);
        out.writeInt((int) window);
        writeStr(out, name, nameLength);
        writeStr(out, token, tokenLength);
    }

    public static void writeWelcome(ByteBuf out, long window, long maxFrameLength, long ackedThrough, String serverName) {
        int nameLength = strLength(serverName);
        writeHeader(out, FrameType.WELCOME, 4 + 4 + 8 + nameLength);
        out.writeInt((int) window);
        out.writeInt((int) maxFrameLength);
        out.writeLong(ackedThrough);
        writeStr(out, serverName, nameLength);
    }

    /** Writes the 8-byte header of a PACKET frame carrying {@code packetLength} bytes. */
    public static void writePacketHeader(ByteBuf out, int packetLength) {
        writeHeader(out, FrameType.PACKET, packetLength);
    }

    /** Writes the header of a DELIVER frame (frame header + deliveryId) for {@code packetLength} packet bytes. */
    public static void writeDeliverHeader(ByteBuf out, long deliveryId, int packetLength) {
        writeHeader(out, FrameType.DELIVER, 8 + packetLength);
        out.writeLong(deliveryId);
    }

    public static void writeAck(ByteBuf out, long through) {
        writeU64Frame(out, FrameType.ACK, through);
    }

    /** ACK, PING and PONG: a header and one u64. */
    private static void writeU64Frame(ByteBuf out, FrameType type, long value) {
        writeHeader(out, type, 8);
        out.writeLong(value);
    }

    private static ByteBuf u64Frame(ByteBufAllocator alloc, FrameType type, long value) {
        ByteBuf b = alloc.buffer(U64_FRAME_LENGTH);
        writeU64Frame(b, type, value);
        return b;
    }

    public static void writeNack(ByteBuf out, long id, ErrorCode code, long retryAfterMillis, String reason) {
        int reasonLength = strLength(reason);
        writeHeader(out, FrameType.NACK, 8 + 2 + 4 + reasonLength);
        out.writeLong(id);
        out.writeShort(code.value());
        out.writeInt((int) retryAfterMillis);
        writeStr(out, reason, reasonLength);
    }

    public static void writePing(ByteBuf out, long nonce) {
        writeU64Frame(out, FrameType.PING, nonce);
    }

    public static void writePong(ByteBuf out, long nonce) {
        writeU64Frame(out, FrameType.PONG, nonce);
    }

    public static void writeError(ByteBuf out, ErrorCode code, String reason) {
        int reasonLength = strLength(reason);
        writeHeader(out, FrameType.ERROR, 2 + reasonLength);
        out.writeShort(code.value());
        writeStr(out, reason, reasonLength);
    }

    public static void writeGoodbye(ByteBuf out) {
        writeHeader(out, FrameType.GOODBYE, 0);
    }

    // Allocating conveniences for control frames (not the data path).

    public static ByteBuf hello(ByteBufAllocator alloc, int role, long id, long window, String name, String token) {
        // A str too long is refused before the buffer exists: the caller would never get it to release.
        ByteBuf b = alloc.buffer(FrameDescriptor.HEADER_LENGTH + 1 + 8 + 4 + strLength(name) + strLength(token));
        writeHello(b, role, id, window, name, token);
        return b;
    }

    public static ByteBuf welcome(ByteBufAllocator alloc, long window, long maxFrameLength, long ackedThrough, String serverName) {
        ByteBuf b = alloc.buffer(FrameDescriptor.HEADER_LENGTH + 4 + 4 + 8 + strLength(serverName));
        writeWelcome(b, window, maxFrameLength, ackedThrough, serverName);
        return b;
    }

    public static ByteBuf ack(ByteBufAllocator alloc, long through) {
        return u64Frame(alloc, FrameType.ACK, through);
    }

    public static ByteBuf nack(ByteBufAllocator alloc, long id, ErrorCode code, long retryAfterMillis, String reason) {
        ByteBuf b = alloc.buffer(FrameDescriptor.HEADER_LENGTH + 8 + 2 + 4 + strLength(reason));
        writeNack(b, id, code, retryAfterMillis, reason);
        return b;
    }

    public static ByteBuf ping(ByteBufAllocator alloc, long nonce) {
        return u64Frame(alloc, FrameType.PING, nonce);
    }

    public static ByteBuf pong(ByteBufAllocator alloc, long nonce) {
        return u64Frame(alloc, FrameType.PONG, nonce);
    }

    public static ByteBuf error(ByteBufAllocator alloc, ErrorCode code, String reason) {
        ByteBuf b = alloc.buffer(FrameDescriptor.HEADER_LENGTH + 2 + strLength(reason));
        writeError(b, code, reason);
        return b;
    }

    public static ByteBuf goodbye(ByteBufAllocator alloc) {
        ByteBuf b = alloc.buffer(FrameDescriptor.HEADER_LENGTH);
        writeGoodbye(b);
        return b;
    }
}
