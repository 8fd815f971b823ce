package io.logdist.analyzer;

import io.logdist.analyzer.record.RecordAppender;
import io.logdist.protocol.transport.ListenFailure;
import io.logdist.protocol.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An analyzer: listens for distributors, validates and counts the packets they DELIVER,
 * records them and ACKs them. Embeddable: other modules' tests start one on port 0.
 *
 * <p>Threads: the listener and every connection run on one event loop thread, which owns
 * the counters and the record file; a second thread writes the periodic report and the
 * progress line. {@link #start}, {@link #port}, {@link #snapshot} and {@link #close} may
 * be called from any thread except the event loop (snapshot may be called there too).
 */
public final class AnalyzerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AnalyzerServer.class);
    /** How long a new connection may take to send HELLO (the protocol's 5 seconds). */
    public static final Duration HELLO_TIMEOUT = Duration.ofSeconds(5);

    private final AnalyzerConfig config;
    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel listener;
    private final ChannelGroup connections;
    private final AnalyzerCounters counters;
    private final RecordAppender records;
    private final Reporter reporter;
    private final ScheduledExecutorService reportThread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile AnalyzerSnapshot finalSnapshot;

    private AnalyzerServer(AnalyzerConfig config, EventLoopGroup group, EventLoop loop, Channel listener,
                           ChannelGroup connections, AnalyzerCounters counters, RecordAppender records) {
        this.config = config;
        this.group = group;
        this.loop = loop;
        this.listener = listener;
        this.connections = connections;
        this.counters = counters;
        this.records = records;
        ReportFile reportFile = config.reportFile() == null ? null : new ReportFile(config.reportFile());
        if (reportFile != null) {
            // A first report now: a path that cannot be written fails the start, not every interval.
            // Written before the reporting thread exists, so only one thread writes the file at a time.
            try {
                reportFile.write(onLoop(false), 0.0);
            } catch (IOException e) {
                throw startFailure("cannot write report file " + config.reportFile() + ": " + describe(e), e);
            }
        }
        this.reporter = new Reporter(() -> onLoop(false), reportFile, config.quiet() ? null : System.out, System.nanoTime());
        if (config.reportFile() != null || !config.quiet()) {
            this.reportThread = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("analyzer-report-" + config.name(), true));
            long periodNanos = config.reportInterval().toNanos();
            reportThread.scheduleAtFixedRate(reporter, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        } else {
            this.reportThread = null;
        }
    }

    /**
     * Binds {@code config.listen()} (port 0 picks a free port) and returns once listening.
     *
     * @throws UncheckedIOException with a one-line message ({@code cannot listen on
     *                              127.0.0.1:7101: address already in use}) when the port
     *                              cannot be bound or the record file cannot be opened
     */
    public static AnalyzerServer start(AnalyzerConfig config) throws InterruptedException {
        return start(config, HELLO_TIMEOUT);
    }

    /** {@link #start(AnalyzerConfig)} with another HELLO deadline, for tests. */
    static AnalyzerServer start(AnalyzerConfig config, Duration helloTimeout) throws InterruptedException {
        RecordAppender records = openRecords(config);
        Transport transport = Transport.best();
        EventLoopGroup group = transport.newGroup(1, new DefaultThreadFactory("analyzer-" + config.name(), true));
        try {
            EventLoop loop = group.next();
            AnalyzerCounters counters = new AnalyzerCounters(config.name());
            ChannelGroup connections = new DefaultChannelGroup("analyzer-" + config.name(), loop);
            // One group for the listener and all connections: one thread owns all counting state.
            ChannelFuture bind = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                // Lets a restarted analyzer take its port back while old sockets sit in TIME_WAIT.
                .option(ChannelOption.SO_REUSEADDR, true)
                // ACKs are small and latency-bound; do not let Nagle hold them back.
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                .childHandler(new AnalyzerChannelInitializer(config, counters, records, connections, helloTimeout))
                .bind(config.listen().toSocketAddress());
            ListenFailure.awaitBound(bind, "listen", config.listen());
            AnalyzerServer server = new AnalyzerServer(config, group, loop, bind.channel(), connections, counters, records);
            LOG.info("analyzer {} listening on {} ({}), window {}, maxFrameLength {}{}",
                config.name(), bind.channel().localAddress(), transport, config.window(), config.maxFrameLength(),
                records == null ? "" : ", recording to " + records.file());
            return server;
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            closeQuietly(records);
            throw e;
        }
    }

    private static RecordAppender openRecords(AnalyzerConfig config) {
        if (config.recordFile() == null) {
            return null;
        }
        try {
            return RecordAppender.open(config.recordFile());
        } catch (IOException e) {
            throw startFailure("cannot open record file " + config.recordFile() + ": " + describe(e), e);
        }
    }

    private static UncheckedIOException startFailure(String message, Throwable cause) {
        return new UncheckedIOException(message, new IOException(message, cause));
    }

    private static String describe(IOException cause) {
        if (cause instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (cause instanceof AccessDeniedException) {
            return "permission denied";
        }
        return String.valueOf(cause.getMessage());
    }

    public AnalyzerConfig config() {
        return config;
    }

    /** The port listened on (the one picked when the config said 0). */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * A copy of the counters, taken on the event loop so it is consistent; after
     * {@link #close()}, the counters as they were at close. The sorted sequences of each
     * emitter (8 bytes a packet) are copied only here, when asked: close itself takes the
     * totals only, so a long-running analyzer cannot run out of memory while stopping.
     */
    public AnalyzerSnapshot snapshot() {
        AnalyzerSnapshot last = finalSnapshot;
        if (last == null) {
            return onLoop(true);
        }
        // After close: once the loop has terminated this thread may read what it confined.
        if (group.terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            return counters.snapshot(true);
        }
        return last;
    }

    /**
     * The totals without the sequences (which take 8 bytes a packet to copy): taken on the
     * event loop, or after {@link #close()} the totals as they were at close. For a summary
     * line, at any size of run.
     */
    public AnalyzerSnapshot totals() {
        AnalyzerSnapshot last = finalSnapshot;
        return last != null ? last : onLoop(false);
    }

    private AnalyzerSnapshot onLoop(boolean withSequences) {
        if (loop.inEventLoop()) {
            return counters.snapshot(withSequences);
        }
        try {
            return loop.submit(() -> counters.snapshot(withSequences)).get();
        } catch (RejectedExecutionException e) {
            AnalyzerSnapshot last = finalSnapshot;
            if (last != null) {
                return last;
            }
            throw new IllegalStateException("analyzer " + config.name() + " is stopped", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while taking a snapshot", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("snapshot failed", e.getCause());
        }
    }

    /**
     * Stops at once, like a crash: closes the listener and every connection without
     * ACKing anything more (DELIVERs not yet ACKed stay unsettled for the distributor),
     * closes the record file, then writes the final report. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (reportThread != null) {
            // Let a report in progress finish rather than interrupt its file write.
            reportThread.shutdown();
            awaitQuietly(reportThread);
        }
        if (loop.inEventLoop()) {
            finalSnapshot = stopOnLoop();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        } else {
            Future<AnalyzerSnapshot> stopped = loop.submit(this::stopOnLoop);
            stopped.awaitUninterruptibly();
            if (stopped.isSuccess()) {
                finalSnapshot = stopped.getNow();
            } else {
                LOG.warn("analyzer {}: stopping on the event loop failed: {}", config.name(), stopped.cause().toString());
            }
            boolean terminated = group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            if (finalSnapshot == null && terminated) {
                // The loop has terminated, so this thread may read what it confined.
                finalSnapshot = counters.snapshot(false);
            }
        }
        if (finalSnapshot == null) {
            LOG.warn("analyzer {}: no final counters; the final report is not written", config.name());
            return;
        }
        reporter.writeReport(finalSnapshot, System.nanoTime());
        LOG.info("analyzer {} stopped", config.name());
    }

    /** Runs on the loop, so no read burst can be between its records and its ACK. */
    private AnalyzerSnapshot stopOnLoop() {
        listener.close();
        connections.close();
        closeQuietly(records);
        return counters.snapshot(false);
    }

    private static void closeQuietly(RecordAppender records) {
        if (records == null) {
            return;
        }
        try {
            records.close();
        } catch (IOException e) {
            LOG.warn("closing record file {}: {}", records.file(), e.getMessage());
        }
    }

    private static void awaitQuietly(ScheduledExecutorService executor) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (executor.awaitTermination(5, TimeUnit.SECONDS)) {
                        return;
                    }
                    executor.shutdownNow();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "AnalyzerServer[" + config.name() + " on " + listener.localAddress() + "]";
    }
}
