package io.logdist.emitter;

import io.logdist.protocol.transport.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running emitter: {@link EmitterConfig#connections()} connections to the
 * distributor, each its own emitter (emitterId = base + i), streaming packets until the
 * duration ends, the source runs dry or {@code maxPackets} are made, then draining until
 * every packet is acknowledged or the drain timeout passes.
 *
 * <pre>{@code
 * try (Emitter emitter = Emitter.start(EmitterConfig.defaults(distributor).withMaxPackets(1000))) {
 *     EmitterReport report = emitter.completion().get(30, TimeUnit.SECONDS);
 * }
 * }</pre>
 *
 * <p>Threads: each connection lives on one event loop of the emitter's own group (its
 * state never leaves it); a control thread runs the duration timer, the progress line
 * and the end of the run. {@link #start}, {@link #snapshot()}, {@link #completion()} and
 * {@link #close()} may be called from any thread; {@link #completion()} completes on the
 * control thread once everything is released.
 */
public final class Emitter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Emitter.class);
    private static final long SHUTDOWN_TIMEOUT_SECONDS = 5;
    private static final int LINE_CHUNKS_PER_CONNECTION = 16;

    private final EmitterConfig config;
    private final long startNs = System.nanoTime();
    /** The start on the wall clock, for the report: the audit compares it with analyzers' record times. */
    private final long startedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.now());
    private final LatencyRecorder ackLatency = new LatencyRecorder();
    private final LatencyRecorder sendLag = new LatencyRecorder();
    private final CompletableFuture<EmitterReport> completion = new CompletableFuture<>();
    private final List<EmitterSession> sessions = new ArrayList<>();
    private final AtomicInteger sessionsRunning;
    private final AtomicInteger sessionsProducing;
    private final AtomicLong productionEndNs = new AtomicLong(Long.MIN_VALUE);
    private final AtomicBoolean everWelcomed = new AtomicBoolean();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final ScheduledExecutorService control;
    private final Thread controlThread;
    private volatile boolean neverConnected;
    /** The report file could not be written at the end of the run (the error was logged). */
    private volatile boolean reportUnwritten;
    private volatile boolean closedEarly;
    /** Set once the sessions are made (before any can fail). */
    private volatile RunContext run;
    private EventLoopGroup group;
    private LineChunkReader lineReader;
    private DeadLetterReplayReader replayReader;
    private volatile ScheduledFuture<?> progressTask;
    /** Progress lines printed; also the nominal second each one stands for. Control thread only. */
    private long progressTicks;
    private volatile ScheduledFuture<?> durationTask;

    private Emitter(EmitterConfig config) {
        this.config = config;
        this.sessionsRunning = new AtomicInteger(config.connections());
        this.sessionsProducing = new AtomicInteger(config.connections());
        this.control = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("emitter-control", true));
        // Start the control thread now, so that close() can tell whether it is running on it.
        try {
            this.controlThread = control.submit(Thread::currentThread).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            control.shutdownNow();
            throw new IllegalStateException("interrupted while starting the emitter", e);
        } catch (ExecutionException e) {
            control.shutdownNow();
            throw new IllegalStateException("cannot start the emitter's control thread", e);
        }
    }

    /**
     * Starts dialling and sending, and returns at once.
     *
     * @throws IllegalArgumentException when {@link EmitterConfig#file()} cannot be read
     */
    public static Emitter start(EmitterConfig config) {
        Emitter emitter = new Emitter(config);
        try {
            emitter.begin();
        } catch (RuntimeException e) {
            emitter.control.shutdownNow();
            throw e;
        }
        return emitter;
    }

    private void begin() {
        PacketSource.Factory sources = openSource();
        Transport transport = Transport.best();
        int threads = Math.min(config.connections(), Math.max(1, Runtime.getRuntime().availableProcessors()));
        group = transport.newGroup(threads, new DefaultThreadFactory("emitter-io", true));
        RunContext run = new RunContext(config, ackLatency, sendLag, new Milestones());
        this.run = run;
        MicrosClock clock = new MicrosClock();
        for (int i = 0; i < config.connections(); i++) {
            EventLoop loop = group.next();
            sessions.add(new EmitterSession(config.emitterIdBase() + i, loop, transport, sources, clock, run));
        }
        if (lineReader != null) {
            lineReader.start();
        }
        if (replayReader != null) {
            replayReader.start();
        }
        if (!config.duration().isZero()) {
            durationTask = control.schedule(this::onDurationOver, config.duration().toNanos(), TimeUnit.NANOSECONDS);
        }
        if (!config.quiet()) {
            progressTask = control.scheduleAtFixedRate(this::printProgress, 1, 1, TimeUnit.SECONDS);
        }
        log.debug("emitter: sending to {} as emitterIds {}..{}", config.distributor(), config.emitterIdBase(),
            config.emitterIdBase() + config.connections() - 1);
        for (EmitterSession s : sessions) {
            s.loop().execute(s::start);
        }
    }

    private PacketSource.Factory openSource() {
        if (config.replays()) {
            replayReader = DeadLetterReplayReader.open(config.replay(), LINE_CHUNKS_PER_CONNECTION * config.connections(),
                Transport.ALLOCATOR);
            DeadLetterReplayReader reader = replayReader;
            OnceWarning truncation = new OnceWarning(log);
            OnceWarning split = new OnceWarning(log);
            return (emitterId, wakeup) -> new DeadLetterPacketSource(reader, wakeup, truncation, split);
        }
        if (!config.shipsFile()) {
            OnceWarning truncation = new OnceWarning(log);
            return (emitterId, wakeup) -> new GeneratedPacketSource(emitterId, config.messagesPerPacket(),
                config.messageBytes(), truncation);
        }
        boolean stdin = config.file().equals(EmitterConfig.STDIN);
        InputStream in;
        if (stdin) {
            in = System.in;
        } else {
            if (Files.isDirectory(config.file())) {
                throw new IllegalArgumentException("cannot read " + config.file()
                    + " (a directory; give a file, or - for standard input)");
            }
            try {
                in = Files.newInputStream(config.file());
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("cannot read " + config.file() + " (no such file)");
            } catch (AccessDeniedException e) {
                throw new IllegalArgumentException("cannot read " + config.file() + " (permission denied)");
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + config.file() + " (" + e.getMessage() + ")");
            }
        }
        OnceWarning truncation = new OnceWarning(log);
        lineReader = new LineChunkReader(in, stdin ? "standard input" : config.file().toString(), !stdin,
            stdin || !Files.isRegularFile(config.file()),
            config.messagesPerPacket(), EmitterConfig.MAX_MESSAGE_BYTES,
            LINE_CHUNKS_PER_CONNECTION * config.connections(), Transport.ALLOCATOR, truncation);
        LineChunkReader reader = lineReader;
        return (emitterId, wakeup) -> new FilePacketSource(reader, wakeup, truncation);
    }

    /** Completes with the final report once the run is over and everything is released. */
    public CompletableFuture<EmitterReport> completion() {
        return completion;
    }

    /** The report as of now; any thread, any time. */
    public EmitterReport snapshot() {
        long packetsSent = 0;
        long packetsAcked = 0;
        long packetsNacked = 0;
        long messagesAcked = 0;
        long bytesAcked = 0;
        Map<Long, EmitterReport.EmitterProgress> emitters = new LinkedHashMap<>();
        for (EmitterSession s : sessions) {
            SessionCounters c = s.counters();
            packetsSent += c.get(SessionCounters.PACKETS_SENT);
            packetsAcked += c.get(SessionCounters.PACKETS_ACKED);
            packetsNacked += c.get(SessionCounters.PACKETS_NACKED);
            messagesAcked += c.get(SessionCounters.MESSAGES_ACKED);
            bytesAcked += c.get(SessionCounters.BYTES_ACKED);
            emitters.put(s.emitterId(),
                new EmitterReport.EmitterProgress(s.firstSequence(), c.get(SessionCounters.ACKED_THROUGH), s.refused()));
        }
        double seconds = sendingSeconds();
        double msgsPerS = seconds > 0 ? messagesAcked / seconds : 0;
        double mbPerS = seconds > 0 ? bytesAcked / seconds / 1e6 : 0;
        DeadLetterReplayReader replay = replayReader;
        return new EmitterReport(packetsSent, packetsAcked, packetsNacked, messagesAcked, bytesAcked, seconds,
            msgsPerS, mbPerS, ackLatency.latency(), sendLag.latency(), emitters, replay == null ? 0 : replay.replayed(),
            startedAtMicros);
    }

    /** From the start until every connection stopped making new packets, or until now. */
    private double sendingSeconds() {
        long end = sessionsProducing.get() == 0 ? productionEndNs.get() : System.nanoTime();
        return Math.max(0, end - startNs) / 1e9;
    }

    /** Stops now: no drain; closes every connection and releases every buffer. Waits for that unless called from one of the emitter's own threads. */
    @Override
    public void close() {
        if (!shuttingDown.get()) {
            closedEarly = true;
        }
        if (Thread.currentThread() == controlThread || onEventLoop()) {
            try {
                control.execute(this::shutDown);
            } catch (RejectedExecutionException e) {
                // Already shut down.
            }
            return;
        }
        shutDown();
        completion.exceptionally(e -> null).join();
    }

    private boolean onEventLoop() {
        for (EmitterSession s : sessions) {
            if (s.loop().inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------ package-private, for EmitterMain and tests

    /** Messages in new packets sent so far (each message once, however often it was resent). */
    long messagesSent() {
        return sum(SessionCounters.MESSAGES_SENT);
    }

    /** Lines read from {@code --file} but never sent, as the run stopped first (duration, Ctrl-C); 0 without a file. */
    long linesNotSent() {
        LineChunkReader reader = lineReader;
        return reader == null ? 0 : Math.max(0, reader.linesRead() - messagesSent());
    }

    /** Connections re-established after a loss, over all emitters. */
    long reconnects() {
        return sum(SessionCounters.RECONNECTS);
    }

    /** Dials that failed before a connection was made, over all emitters. */
    long connectFailures() {
        return sum(SessionCounters.CONNECT_FAILURES);
    }

    /** Packets left without an ACK when the run ended (drain timeout or close); valid once completed. */
    long packetsUnacked() {
        return sum(SessionCounters.UNSETTLED_AT_END);
    }

    private long sum(int counter) {
        long n = 0;
        for (EmitterSession s : sessions) {
            n += s.counters().get(counter);
        }
        return n;
    }

    /** True when {@link #close()} stopped the run before it ended by itself. */
    boolean closedEarly() {
        return closedEarly;
    }

    /** Dead-lettered packets skipped as invalid by {@code --replay}; 0 when not replaying. */
    long replaySkipped() {
        DeadLetterReplayReader replay = replayReader;
        return replay == null ? 0 : replay.skipped();
    }

    /** Dead-letter files read by {@code --replay}; 0 when not replaying. */
    int replayFiles() {
        DeadLetterReplayReader replay = replayReader;
        return replay == null ? 0 : replay.files().size();
    }

    /** True when the report file could not be written at the end (the reason was logged). */
    boolean reportUnwritten() {
        return reportUnwritten;
    }

    /** Why a session could not do what the run asked (it then sent nothing more), or why the input could not be read to its end; or null. */
    String failure() {
        RunContext r = run;
        String why = r == null ? null : r.failure();
        LineChunkReader reader = lineReader;
        return why != null || reader == null ? why : reader.failure();
    }

    /** True when the duration passed without any connection ever being welcomed. */
    boolean neverConnected() {
        return neverConnected;
    }

    EmitterConfig config() {
        return config;
    }

    // ------------------------------------------------------------ control thread

    private void onDurationOver() {
        if (!everWelcomed.get()) {
            neverConnected = true;
            log.debug("emitter: {} was never reached in {}", config.distributor(), config.duration());
        }
        for (EmitterSession s : sessions) {
            runOn(s, s::stopProducingAtDurationEnd);
        }
    }

    private void printProgress() {
        EmitterReport r = snapshot();
        long sent = messagesSent();
        long reconnects = reconnects();
        // Read the clock after the counters so that the rates never run ahead of the time.
        double elapsed = (System.nanoTime() - startNs) / 1e9;
        String line = String.format(Locale.ROOT,
            "emitter: %ds sent %d msgs, acked %d (%.0f msg/s, %.1f MB/s), nacked %d, p99 %.1f ms, reconnects %d",
            ++progressTicks, sent, r.messagesAcked(), r.messagesAcked() / elapsed,
            r.bytesAcked() / elapsed / 1e6, r.packetsNacked(), r.latencyUs().p99() / 1000.0, reconnects);
        if (config.ratePerSecond() > 0) {
            line += String.format(Locale.ROOT, ", send lag p99 %.1f ms", r.sendLagUs().p99() / 1000.0);
        }
        log.info(line);
    }

    private void shutDown() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        cancel(progressTask);
        cancel(durationTask);
        for (EmitterSession s : sessions) {
            runOn(s, s::abort);
        }
        if (group != null) {
            group.shutdownGracefully(0, SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .awaitUninterruptibly(2 * SHUTDOWN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        // The event loops are gone: whatever a session still holds is safe to release here.
        for (EmitterSession s : sessions) {
            s.releaseLeftovers();
        }
        if (lineReader != null) {
            lineReader.close();
        }
        if (replayReader != null) {
            replayReader.close();
        }
        EmitterReport report = snapshot();
        if (config.reportFile() != null) {
            try {
                report.writeJson(config.reportFile());
            } catch (UncheckedIOException e) {
                reportUnwritten = true;
                log.error("emitter: {}", e.getMessage());
            }
        }
        control.shutdown();
        completion.complete(report);
    }

    private static void runOn(EmitterSession s, Runnable task) {
        try {
            s.loop().execute(task);
        } catch (RejectedExecutionException e) {
            // The loop is shutting down; shutDown() releases what the session holds.
        }
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Session milestones, called on the sessions' event loops. */
    private final class Milestones implements RunContext.SessionListener {
        @Override
        public void onFirstWelcome(EmitterSession session) {
            everWelcomed.set(true);
        }

        @Override
        public void onProductionStopped(EmitterSession session, long nowNs) {
            productionEndNs.accumulateAndGet(nowNs, Math::max);
            sessionsProducing.decrementAndGet();
        }

        @Override
        public void onFinished(EmitterSession session) {
            if (sessionsRunning.decrementAndGet() == 0) {
                try {
                    control.execute(Emitter.this::shutDown);
                } catch (RejectedExecutionException e) {
                    // close() got there first.
                }
            }
        }
    }
}
