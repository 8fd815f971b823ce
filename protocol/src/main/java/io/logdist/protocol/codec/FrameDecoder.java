package io.logdist.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.List;

/**
 * Splits the byte stream into LDP/1 frames.
 *
 * <p>Each complete frame is passed up as a retained slice of the input that starts at the
 * frame's {@code length} field (so {@link FrameDescriptor} offsets apply from index 0 of
 * the slice's readable bytes); the next handler owns it and must release it. Nothing is
 * copied.
 *
 * <p>The header is checked as soon as its bytes arrive, before the body is buffered:
 * {@code length} below 4 ({@link ErrorCode#MALFORMED_FRAME}) or above
 * {@code maxFrameLength} ({@link ErrorCode#FRAME_TOO_LARGE}), {@code version}
 * ({@link ErrorCode#UNSUPPORTED_VERSION}), unknown {@code type} or any {@code flags} bit
 * ({@link ErrorCode#PROTOCOL_VIOLATION}). On the first such fault a single
 * {@link FrameError} is passed up instead and every later byte is discarded: the stream
 * can no longer be trusted.
 *
 * <p>One instance per channel; touched only by the channel's event loop.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameLength;
    private boolean failed;

    public FrameDecoder(int maxFrameLength) {
        if (maxFrameLength < FrameDescriptor.MIN_LENGTH) {
            throw new IllegalArgumentException("maxFrameLength=" + maxFrameLength + " is below " + FrameDescriptor.MIN_LENGTH);
        }
        this.maxFrameLength = maxFrameLength;
    }

    public int maxFrameLength() {
        return maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            if (readable < FrameDescriptor.LENGTH_FIELD_SIZE) {
                return;
            }
            long length = in.getUnsignedInt(start + FrameDescriptor.LENGTH_OFFSET);
            if (length < FrameDescriptor.MIN_LENGTH) {
                fail(in, out, ErrorCode.MALFORMED_FRAME, "frame length " + length + " is below 4");
                return;
            }
            if (length > maxFrameLength) {
                fail(in, out, ErrorCode.FRAME_TOO_LARGE, "frame length " + length + " exceeds maxFrameLength " + maxFrameLength);
                return;
            }
            if (readable > FrameDescriptor.VERSION_OFFSET) {
                int version = in.getUnsignedByte(start + FrameDescriptor.VERSION_OFFSET);
                if (version != FrameDescriptor.VERSION) {
                    fail(in, out, ErrorCode.UNSUPPORTED_VERSION, "version " + version + " is not supported (expected 1)");
                    return;
                }
            }
            if (readable > FrameDescriptor.TYPE_OFFSET) {
                int type = in.getUnsignedByte(start + FrameDescriptor.TYPE_OFFSET);
                if (FrameType.of(type) == FrameType.UNKNOWN) {
                    fail(in, out, ErrorCode.PROTOCOL_VIOLATION, "unknown frame type 0x" + Integer.toHexString(type));
                    return;
                }
            }
            if (readable >= FrameDescriptor.BODY_OFFSET) {
                int flags = in.getUnsignedShort(start + FrameDescriptor.FLAGS_OFFSET);
                if (flags != 0) {
                    fail(in, out, ErrorCode.PROTOCOL_VIOLATION, "unknown flags 0x" + Integer.toHexString(flags));
                    return;
                }
            }
            // long: with maxFrameLength near Integer.MAX_VALUE, 4 + length would overflow an int
            long frameLength = FrameDescriptor.LENGTH_FIELD_SIZE + length;
            if (readable < frameLength) {
                return;
            }
            out.add(in.retainedSlice(start, (int) frameLength));
            in.readerIndex(start + (int) frameLength);
        }
        in.skipBytes(in.readableBytes());
    }

    private void fail(ByteBuf in, List<Object> out, ErrorCode code, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new FrameError(code, reason));
    }
}
