package io.logdist.protocol.codec;

import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.TrackingAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link FrameDecoder} copies and what it shares: a frame inside one read is a slice
 * of that read, only a frame that straddles reads is copied; and it leaves reading to the
 * channel, so backpressure by auto-read holds.
 */
class FrameDecoderBuffersTest {
    private final TrackingAllocator alloc = new TrackingAllocator();
    private final ReadCounter reads = new ReadCounter();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    FrameDecoderBuffersTest() {
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(reads, new FrameDecoder(FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH));
    }

    @AfterEach
    void everyBufferIsReleased() {
        channel.finishAndReleaseAll();
        alloc.assertAllReleased();
    }

    @Test
    void shouldPassUpFramesInsideOneReadAsSlicesOfItAndCopyOnlyTheOneThatStraddles() {
        byte[] stream = concat(new FrameModel.Ack(1).toBytes(), new FrameModel.Ack(2).toBytes(), new FrameModel.Ack(3).toBytes());
        int cut = 16 + 5; // inside the second frame's header
        ByteBuf first = alloc.copyOf(Arrays.copyOfRange(stream, 0, cut));
        ByteBuf second = alloc.copyOf(Arrays.copyOfRange(stream, cut, stream.length));

        channel.writeInbound(first.retain(), second.retain());
        ByteBuf one = channel.readInbound();
        ByteBuf two = channel.readInbound();
        ByteBuf three = channel.readInbound();
        try {
            assertThat(root(one)).as("a frame inside the first read is a slice of it").isSameAs(root(first));
            assertThat(root(three)).as("a frame inside the second read is a slice of it").isSameAs(root(second));
            assertThat(root(two)).as("the straddling frame is a buffer of its own").isNotIn(root(first), root(second));
            assertThat(FrameModel.read(one)).isEqualTo(new FrameModel.Ack(1));
            assertThat(FrameModel.read(two)).isEqualTo(new FrameModel.Ack(2));
            assertThat(FrameModel.read(three)).isEqualTo(new FrameModel.Ack(3));
        } finally {
            for (ByteBuf buf : new ByteBuf[] {first, second, one, two, three}) {
                buf.release();
            }
        }
    }

    @Test
    void shouldReleaseAFrameCutOffByTheClose() {
        channel.writeInbound(alloc.copyOf(Arrays.copyOf(new FrameModel.Ack(1).toBytes(), 10)));

        channel.close();

        assertThat(channel.<Object>readInbound()).isNull();
        alloc.assertAllReleased();
    }

    @Test
    void shouldNotAskForMoreBytesWhenAutoReadIsOff() {
        channel.config().setAutoRead(false);
        int before = reads.count;

        channel.writeInbound(alloc.copyOf(Arrays.copyOf(new FrameModel.Ack(1).toBytes(), 6)));

        assertThat(reads.count).as("read() calls after a read that completed no frame").isEqualTo(before);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** The buffer that holds the bytes, under any slice or leak-detection wrapper. */
    private static ByteBuf root(ByteBuf buf) {
        while (buf.unwrap() != null) {
            buf = buf.unwrap();
        }
        return buf;
    }

    /** Counts the {@code read()} calls that pass it on their way to the channel. */
    private static final class ReadCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) {
            count++;
            ctx.read();
        }
    }
}
