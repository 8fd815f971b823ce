package io.logdist.benchmarks.codec;

import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.FrameDecoder;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.logdist.protocol.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Packet validation (CRC-32C + shape), packet encoding and frame decoding for packets of
 * {@code messages} x 128-byte messages. Run: {@code make bench-jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class PacketCodecBenchmark {
    /** Frames in {@link #decodeReads}' stream: an odd count, so the cut between its two reads falls inside one. */
    private static final int STREAM_FRAMES = 31;

    @Param({"32"})
    int messages;

    private final PacketFlyweight flyweight = new PacketFlyweight();
    private final PacketWriter writer = new PacketWriter();
    private final byte[] message = new byte[128];
    private ByteBuf packet;
    private ByteBuf frames;
    private ByteBuf scratch;
    private ByteBuf stream;
    private EmbeddedChannel decoder;
    private long sequence;

    @Setup
    public void setup() {
        packet = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        writer.begin(packet, 1, 1, 0, 0);
        for (int i = 0; i < messages; i++) {
            writer.addMessage(message);
        }
        writer.finish();
        frames = PooledByteBufAllocator.DEFAULT.directBuffer(packet.readableBytes() + 8);
        Frames.writePacketHeader(frames, packet.readableBytes());
        frames.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
        scratch = PooledByteBufAllocator.DEFAULT.directBuffer(64 * 1024);
        stream = PooledByteBufAllocator.DEFAULT.directBuffer(STREAM_FRAMES * frames.readableBytes());
        for (int i = 0; i < STREAM_FRAMES; i++) {
            stream.writeBytes(frames, frames.readerIndex(), frames.readableBytes());
        }
        decoder = new EmbeddedChannel(new FrameDecoder(1 << 20));
        decoder.config().setAllocator(Transport.ALLOCATOR); // as in the programs
    }

    @TearDown
    public void tearDown() {
        packet.release();
        frames.release();
        scratch.release();
        stream.release();
        decoder.finishAndReleaseAll();
    }

    @Benchmark
    public ErrorCode validate() {
        return flyweight.wrap(packet).validate();
    }

    @Benchmark
    public int encode() {
        scratch.clear();
        writer.begin(scratch, 1, ++sequence, 0, 0);
        for (int i = 0; i < messages; i++) {
            writer.addMessage(message);
        }
        return writer.finish();
    }

    @Benchmark
    public int decodeFrame() {
        decoder.writeInbound(frames.retainedDuplicate());
        ByteBuf f = decoder.readInbound();
        int n = f.readableBytes();
        f.release();
        return n;
    }

    /**
     * Frames as a socket hands them over: 31 packet frames (4 kB each with the defaults) in
     * two reads of about 64 kB, cut inside the middle frame. Per frame.
     */
    @Benchmark
    @OperationsPerInvocation(STREAM_FRAMES)
    public int decodeReads() {
        int cut = stream.readableBytes() / 2;
        decoder.writeInbound(stream.retainedSlice(0, cut), stream.retainedSlice(cut, stream.readableBytes() - cut));
        int bytes = 0;
        ByteBuf f;
        while ((f = decoder.readInbound()) != null) {
            bytes += f.readableBytes();
            f.release();
        }
        return bytes;
    }
}
