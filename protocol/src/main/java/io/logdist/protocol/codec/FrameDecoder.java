package io.logdist.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Splits the byte stream into LDP/1 frames.
 *
 * <p>Each complete frame is passed up as a buffer whose readable bytes start at the
 * frame's {@code length} field (so {@link FrameDescriptor} offsets apply from index 0 of
 * its readable bytes); the next handler owns it and must release it. A frame that lies
 * whole inside one read is a retained slice of that read: not copied. Only a frame that
 * straddles two or more reads is copied, into a buffer of its own that the following
 * reads complete. Netty's {@code ByteToMessageDecoder} instead appends every read to the
 * leftover of the previous one, and with frames of a few kB in 64 kB reads one is nearly
 * always left over: that copied nearly every byte (14.5 % of the distributor's CPU at
 * full speed, docs/benchmarks.md).
 *
 * <p>The header is checked as soon as its bytes arrive, before the body is buffered:
 * {@code length} below 4 ({@link ErrorCode#MALFORMED_FRAME}) or above
 * {@code maxFrameLength} ({@link ErrorCode#FRAME_TOO_LARGE}), {@code version}
 * ({@link ErrorCode#UNSUPPORTED_VERSION}), unknown {@code type} or any {@code flags} bit
 * ({@link ErrorCode#PROTOCOL_VIOLATION}). On the first such fault a single
 * {@link FrameError} is passed up instead and every later byte is discarded: the stream
 * can no longer be trusted.
 *
 * <p>It never calls {@code read()}: with auto-read off (backpressure downstream) nothing
 * more is read until the channel turns it back on.
 *
 * <p>One instance per channel; touched only by the channel's event loop.
 */
public final class FrameDecoder extends ChannelInboundHandlerAdapter {
    /** {@link #header} results that are not a frame length. */
    private static final long NEED_MORE = 0;
    private static final long FAULT = -1;
    /** The most a straddling frame's buffer is given up front; it grows as its bytes come. */
    private static final int MAX_INITIAL_CAPACITY = 64 * 1024;

    private final int maxFrameLength;
    private boolean failed;
    /** The first bytes of a frame that did not fit in the reads so far, or null. */
    private ByteBuf partial;

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
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf in)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (!failed && (partial == null || completePartial(ctx, in))) {
                splitFrames(ctx, in);
            }
        } finally {
            in.release(); // the frames passed up hold their own references
        }
    }

    /** Passes up every whole frame in {@code in} as a retained slice; keeps a copy of the incomplete tail. */
    private void splitFrames(ChannelHandlerContext ctx, ByteBuf in) {
        while (!failed && in.isReadable()) {
            int start = in.readerIndex();
            int readable = in.readableBytes();
            long frameLength = header(ctx, in, start, readable);
            if (frameLength == FAULT) {
                return;
            }
            if (frameLength == NEED_MORE || readable < frameLength) {
                int initial = frameLength == NEED_MORE
                        ? FrameDescriptor.HEADER_LENGTH
                        : (int) Math.min(frameLength, Math.max(readable, MAX_INITIAL_CAPACITY));
                partial = ctx.alloc().buffer(initial);
                partial.writeBytes(in, start, readable);
                in.skipBytes(readable);
                return;
            }
            ByteBuf frame = in.retainedSlice(start, (int) frameLength);
            in.readerIndex(start + (int) frameLength);
            ctx.fireChannelRead(frame);
        }
    }

    /**
     * Copies from {@code in} into {@link #partial}: first the rest of its header, checked
     * before any body byte is taken, then the rest of its body. Returns true when the frame
     * was completed and passed up, so {@code in} may hold more frames.
     */
    private boolean completePartial(ChannelHandlerContext ctx, ByteBuf in) {
        long frameLength = header(ctx, partial, partial.readerIndex(), partial.readableBytes());
        if (frameLength == NEED_MORE) {
            partial.writeBytes(in, Math.min(FrameDescriptor.HEADER_LENGTH - partial.readableBytes(), in.readableBytes()));
            frameLength = header(ctx, partial, partial.readerIndex(), partial.readableBytes());
        }
        if (frameLength == NEED_MORE || frameLength == FAULT) {
            return false;
        }
        partial.writeBytes(in, (int) Math.min(frameLength - partial.readableBytes(), in.readableBytes()));
        if (partial.readableBytes() < frameLength) {
            return false;
        }
        ByteBuf frame = partial;
        partial = null;
        ctx.fireChannelRead(frame);
        return true;
    }

    /**
     * Checks the header bytes present from {@code start}: returns the whole frame's length
     * (length field included) once all of the header is there and good, {@link #NEED_MORE}
     * while it is incomplete and good so far, {@link #FAULT} after failing the stream.
     */
    private long header(ChannelHandlerContext ctx, ByteBuf buf, int start, int readable) {
        if (readable < FrameDescriptor.LENGTH_FIELD_SIZE) {
            return NEED_MORE;
        }
        long length = buf.getUnsignedInt(start + FrameDescriptor.LENGTH_OFFSET);
        if (length < FrameDescriptor.MIN_LENGTH) {
            return fail(ctx, ErrorCode.MALFORMED_FRAME, "frame length " + length + " is below 4");
        }
        if (length > maxFrameLength) {
            return fail(ctx, ErrorCode.FRAME_TOO_LARGE, "frame length " + length + " exceeds maxFrameLength " + maxFrameLength);
        }
        if (readable > FrameDescriptor.VERSION_OFFSET) {
            int version = buf.getUnsignedByte(start + FrameDescriptor.VERSION_OFFSET);
            if (version != FrameDescriptor.VERSION) {
                return fail(ctx, ErrorCode.UNSUPPORTED_VERSION, "version " + version + " is not supported (expected 1)");
            }
        }
        if (readable > FrameDescriptor.TYPE_OFFSET) {
            int type = buf.getUnsignedByte(start + FrameDescriptor.TYPE_OFFSET);
            if (FrameType.of(type) == FrameType.UNKNOWN) {
                return fail(ctx, ErrorCode.PROTOCOL_VIOLATION, "unknown frame type 0x" + Integer.toHexString(type));
            }
        }
        if (readable < FrameDescriptor.HEADER_LENGTH) {
            return NEED_MORE;
        }
        int flags = buf.getUnsignedShort(start + FrameDescriptor.FLAGS_OFFSET);
        if (flags != 0) {
            return fail(ctx, ErrorCode.PROTOCOL_VIOLATION, "unknown flags 0x" + Integer.toHexString(flags));
        }
        // long: with maxFrameLength near Integer.MAX_VALUE, 4 + length would overflow an int
        return FrameDescriptor.LENGTH_FIELD_SIZE + length;
    }

    private long fail(ChannelHandlerContext ctx, ErrorCode code, String reason) {
        failed = true;
        releasePartial();
        ctx.fireChannelRead(new FrameError(code, reason));
        return FAULT;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePartial(); // a frame cut off by the close is not a frame
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePartial();
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
