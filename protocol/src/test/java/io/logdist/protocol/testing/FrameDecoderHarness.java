package io.logdist.protocol.testing;

import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.FrameError;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A {@link FrameDecoder} in an {@link EmbeddedChannel} whose buffers come from a
 * {@link TrackingAllocator}: feed it bytes (whole, one at a time, or cut at given points),
 * then take what it passed up. Every frame taken is released here; {@link #close()}
 * releases whatever was not taken.
 */
public final class FrameDecoderHarness implements AutoCloseable {
    private final TrackingAllocator alloc;
    private final EmbeddedChannel channel;

    public FrameDecoderHarness(TrackingAllocator alloc, int maxFrameLength) {
        this.alloc = alloc;
        this.channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(new FrameDecoder(maxFrameLength));
    }

    public EmbeddedChannel channel() {
        return channel;
    }

    public FrameDecoderHarness feed(byte[] bytes) {
        channel.writeInbound(alloc.copyOf(bytes));
        return this;
    }

    public FrameDecoderHarness feed(String hex) {
        return feed(Hex.decode(hex));
    }

    public FrameDecoderHarness feedOneByteAtATime(byte[] bytes) {
        for (byte b : bytes) {
            feed(new byte[] {b});
        }
        return this;
    }

    /** Feeds {@code bytes} as consecutive chunks ending at each of {@code cuts} (ascending) and at the end. */
    public FrameDecoderHarness feedCutAt(byte[] bytes, List<Integer> cuts) {
        int from = 0;
        for (int cut : cuts) {
            if (cut > from && cut < bytes.length) {
                feed(Arrays.copyOfRange(bytes, from, cut));
                from = cut;
            }
        }
        if (from < bytes.length) {
            feed(Arrays.copyOfRange(bytes, from, bytes.length));
        }
        return this;
    }

    /**
     * Everything passed up since the last call, in order: each frame as spaced hex (see
     * {@link Hex#of(ByteBuf)}), each {@link FrameError} as itself.
     */
    public List<Object> outputs() {
        List<Object> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (msg instanceof ByteBuf frame) {
                try {
                    out.add(Hex.of(frame));
                } finally {
                    frame.release();
                }
            } else {
                out.add(msg);
            }
        }
        return out;
    }

    /** The frames passed up since the last call, read with {@link FrameModel#read}; fails on a {@link FrameError}. */
    public List<FrameModel> frames() {
        List<FrameModel> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            if (!(msg instanceof ByteBuf frame)) {
                throw new AssertionError("expected a frame, got " + msg);
            }
            try {
                out.add(FrameModel.read(frame));
            } finally {
                frame.release();
            }
        }
        return out;
    }

    /** The single {@link FrameError} passed up since the last call; fails when anything else (or nothing) came. */
    public FrameError error() {
        List<Object> out = outputs();
        if (out.size() != 1 || !(out.get(0) instanceof FrameError e)) {
            throw new AssertionError("expected exactly one FrameError, got " + out);
        }
        return e;
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
