package io.logdist.benchmarks.ingest;

import io.logdist.benchmarks.EventLoopThreadExecutor;
import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.queue.PriorityQueues;
import io.logdist.distributor.routing.WeightedTree;
import io.logdist.protocol.codec.ErrorCode;
import io.logdist.protocol.codec.Frames;
import io.logdist.protocol.packet.PacketFlyweight;
import io.logdist.protocol.packet.PacketWriter;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
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
 * What the distributor does with one PACKET between the socket read and the socket
 * write, in order, on the buffers Netty would hand it, without the sockets: the frame
 * decoder's retained slice of the read buffer; the session's CRC-32C and shape check on
 * it; the retained slice of the packet bytes that the pooled {@link Packet} keeps; route
 * and enqueue; the link's 16-byte DELIVER header and retained duplicate of the packet
 * bytes (released as the channel would once written); the release of the bytes and the
 * recycling of the packet when the analyzer's ACK comes. One 32 x 128-byte packet per op.
 *
 * <p>{@code allocator}: {@code adaptive} is Netty 4.2's default
 * ({@link AdaptiveByteBufAllocator}), {@code pooled} is {@link PooledByteBufAllocator}.
 * Read {@code gc.alloc.rate.norm}: which steps allocate, per packet, under each (with the
 * pooled allocator, none: the programs use it).
 *
 * <p>Runs on a Netty {@code FastThreadLocalThread} ({@link EventLoopThreadExecutor}), as an
 * event loop would. Run: {@code make bench-jmh JMH_ARGS="IngestPath"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Dio.netty.leakDetection.level=disabled", EventLoopThreadExecutor.JMH_EXECUTOR, EventLoopThreadExecutor.JMH_EXECUTOR_CLASS})
public class IngestPathBenchmark {
    private static final int FRAMES = 15; // about one 64 kB socket read of 4 kB packets

    @Param({"adaptive", "pooled"})
    String allocator;

    private ByteBufAllocator alloc;
    private ByteBuf wire;
    private int frameLength;
    private final PacketFlyweight flyweight = new PacketFlyweight();
    private final WeightedTree tree = new WeightedTree(new double[] {0.4, 0.3, 0.2, 0.1});
    private final PriorityQueues[] queues = {new PriorityQueues(), new PriorityQueues(), new PriorityQueues(), new PriorityQueues()};
    private long sequence;
    private int next;
    /** Where a slice escapes to, as it does into the pipeline; released already. */
    private ByteBuf lastFrame;

    @Setup
    public void setup() {
        alloc = allocator.equals("pooled") ? PooledByteBufAllocator.DEFAULT : new AdaptiveByteBufAllocator();
        ByteBuf packet = alloc.directBuffer(8192);
        PacketWriter writer = new PacketWriter();
        writer.begin(packet, 1, 1, 0, 0);
        byte[] message = new byte[128];
        for (int m = 0; m < 32; m++) {
            writer.addMessage(message);
        }
        writer.finish();
        frameLength = Frames.PACKET_HEADER_LENGTH + packet.readableBytes();
        wire = alloc.directBuffer(FRAMES * frameLength);
        for (int f = 0; f < FRAMES; f++) {
            Frames.writePacketHeader(wire, packet.readableBytes());
            wire.writeBytes(packet, packet.readerIndex(), packet.readableBytes());
        }
        packet.release();
        // The packets must validate through slices of the read buffer, as on the path measured.
        ByteBuf frame = nextFrame();
        ErrorCode check = flyweight.wrap(frame, frame.readerIndex() + Frames.PACKET_HEADER_LENGTH,
            frame.readableBytes() - Frames.PACKET_HEADER_LENGTH).validate();
        frame.release();
        if (check != ErrorCode.NONE) {
            throw new IllegalStateException("the benchmark's packet does not validate: " + check);
        }
        next = 0;
    }

    @TearDown
    public void tearDown() {
        wire.release();
    }

    private ByteBuf nextFrame() {
        int f = next;
        next = f + 1 == FRAMES ? 0 : f + 1;
        return wire.retainedSlice(f * frameLength, frameLength);
    }

    /** The whole path, as described above. */
    @Benchmark
    public Packet frameToDeliver() {
        ByteBuf frame = nextFrame();                                     // FrameDecoder
        int body = frame.readerIndex() + Frames.PACKET_HEADER_LENGTH;
        int length = frame.readableBytes() - Frames.PACKET_HEADER_LENGTH;
        if (flyweight.wrap(frame, body, length).validate() != ErrorCode.NONE) { // EmitterSession
            throw new IllegalStateException("bad packet");
        }
        Packet p = Packet.of(frame.retainedSlice(body, length), null, ++sequence, 32, 0);
        frame.release();
        PriorityQueues q = queues[tree.pick(p.count)];                   // Router, AnalyzerLink inbox drain
        q.add(p);
        Packet d = q.poll();
        ByteBuf header = alloc.directBuffer(Frames.DELIVER_HEADER_LENGTH); // AnalyzerLink.doSend
        Frames.writeDeliverHeader(header, sequence, d.length());
        ByteBuf bytes = d.bytes.retainedDuplicate();
        header.release();                                                // the channel, once written
        bytes.release();
        d.recycle();                                                     // the ACK
        return d;
    }

    /** Only the frame decoder's slice and its release; kept in a field so that it escapes, as in the pipeline. */
    @Benchmark
    public int sliceRelease() {
        ByteBuf frame = nextFrame();
        lastFrame = frame;
        int n = frame.readableBytes();
        frame.release();
        return n;
    }

    /** Only the CRC-32C and shape check, through the slice (Crc32c feeds the root buffer's cached NIO view). */
    @Benchmark
    public ErrorCode validate() {
        ByteBuf frame = nextFrame();
        ErrorCode e = flyweight.wrap(frame, frame.readerIndex() + Frames.PACKET_HEADER_LENGTH,
            frame.readableBytes() - Frames.PACKET_HEADER_LENGTH).validate();
        frame.release();
        return e;
    }
}
