package io.logdist.benchmarks.routing;

import io.logdist.benchmarks.EventLoopThreadExecutor;
import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.queue.PriorityQueues;
import io.logdist.distributor.routing.WeightedTree;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Route + enqueue, the distributor's per-packet bookkeeping without the sockets: take a
 * pooled {@link Packet}, pick its analyzer with the {@link WeightedTree} (what each loop's
 * {@code Router} does after one volatile read of the table), add it to that analyzer's
 * 256-level {@link PriorityQueues}, and, to hold a steady state, let the link's drain take
 * the most urgent packet of that queue and recycle it as its ACK would. Every queue holds
 * a backlog of 64 packets at mixed priorities. Sizes (1..64 messages) and priorities are
 * precomputed. The target is 0 B/op under {@code -prof gc}.
 *
 * <p>Runs on a Netty {@code FastThreadLocalThread} ({@link EventLoopThreadExecutor}), as an
 * event loop would: the {@code Recycler} behind {@link Packet} pools differently elsewhere.
 * Run: {@code make bench-jmh JMH_ARGS="RouteEnqueue"}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
    EventLoopThreadExecutor.JMH_EXECUTOR, EventLoopThreadExecutor.JMH_EXECUTOR_CLASS})
public class RouteEnqueueBenchmark {
    private static final int BACKLOG = 64;

    @Param({"4", "256"})
    int analyzers;

    private WeightedTree tree;
    private PriorityQueues[] queues;
    private final int[] sizes = new int[1024];
    private final int[] priorities = new int[1024];
    /** Shared by every packet here: the bytes are not what this measures (see IngestPathBenchmark). */
    private final ByteBuf bytes = Unpooled.directBuffer(64).writeZero(64);
    private long sequence;
    private int i;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(3);
        double[] w = new double[analyzers];
        for (int k = 0; k < analyzers; k++) {
            w[k] = 1 + r.nextInt(10);
        }
        tree = new WeightedTree(w);
        for (int k = 0; k < sizes.length; k++) {
            sizes[k] = 1 + r.nextInt(64);
            priorities[k] = r.nextInt(256);
        }
        queues = new PriorityQueues[analyzers];
        for (int q = 0; q < analyzers; q++) {
            queues[q] = new PriorityQueues();
            for (int k = 0; k < BACKLOG; k++) {
                queues[q].add(Packet.of(bytes, null, ++sequence, sizes[k], priorities[(q + k) & 1023]));
            }
        }
    }

    @Benchmark
    public Packet routeEnqueue() {
        int k = i++ & 1023;
        int messages = sizes[k];
        Packet p = Packet.of(bytes, null, ++sequence, messages, priorities[k]);
        PriorityQueues q = queues[tree.pick(messages)];
        q.add(p);
        Packet out = q.poll();
        out.bytes = null; // shared here; in the distributor the ACK releases the packet's own bytes
        out.recycle();
        return out;
    }
}
