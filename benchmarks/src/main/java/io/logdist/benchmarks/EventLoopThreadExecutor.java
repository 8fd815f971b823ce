package io.logdist.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A JMH executor ({@code -Djmh.executor=CUSTOM -Djmh.executor.class=<this>}) whose
 * threads are Netty {@code FastThreadLocalThread}s, as an event loop's are. Netty's
 * {@code Recycler} (behind the pooled {@code Packet} and pooled derived buffers) and the
 * allocators' thread caches behave differently on other threads, so benchmarks of the
 * distributor's per-packet path run on these to allocate as the distributor does.
 */
public final class EventLoopThreadExecutor extends ThreadPoolExecutor {
    /** The JVM options that make a forked benchmark use this executor. */
    public static final String JMH_EXECUTOR = "-Djmh.executor=CUSTOM";
    public static final String JMH_EXECUTOR_CLASS = "-Djmh.executor.class=io.logdist.benchmarks.EventLoopThreadExecutor";

    /** The constructor JMH calls. */
    public EventLoopThreadExecutor(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(), new DefaultThreadFactory(prefix, true));
    }
}
