package io.logdist.benchmarks.routing;

import io.logdist.distributor.routing.WeightedTree;
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
 * Routing decisions per second of {@link WeightedTree} with n analyzers; packet sizes
 * (1..64 messages) are precomputed. Run: {@code make bench-jmh} or
 * {@code java -jar benchmarks/target/benchmarks.jar WeightedTree -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class WeightedTreeBenchmark {
    @Param({"2", "16", "256", "1024"})
    int analyzers;

    private WeightedTree tree;
    private final int[] sizes = new int[1024];
    private int i;

    @Setup
    public void setup() {
        double[] w = new double[analyzers];
        SplittableRandom r = new SplittableRandom(1);
        for (int k = 0; k < analyzers; k++) {
            w[k] = 1 + r.nextInt(10);
        }
        tree = new WeightedTree(w);
        for (int k = 0; k < sizes.length; k++) {
            sizes[k] = 1 + r.nextInt(64);
        }
    }

    @Benchmark
    public int pick() {
        return tree.pick(sizes[i++ & 1023]);
    }
}
