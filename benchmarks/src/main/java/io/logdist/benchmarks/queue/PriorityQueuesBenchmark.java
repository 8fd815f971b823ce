package io.logdist.benchmarks.queue;

import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.queue.PriorityQueues;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Offer + poll through the 256-level {@link PriorityQueues} with ~1000 packets queued
 * at mixed priorities. Run: {@code make bench-jmh}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class PriorityQueuesBenchmark {
    private final PriorityQueues queues = new PriorityQueues();
    private final int[] priorities = new int[1024];
    private int i;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(5);
        for (int k = 0; k < priorities.length; k++) {
            priorities[k] = r.nextInt(256);
        }
        ByteBuf bytes = Unpooled.buffer(64).writeZero(64);
        for (int k = 0; k < 1000; k++) {
            queues.add(Packet.of(bytes, null, k, 1, priorities[k]));
        }
    }

    @Benchmark
    public Packet offerPoll() {
        Packet p = queues.poll();
        p.priority = priorities[i++ & 1023];
        queues.add(p);
        return p;
    }
}
