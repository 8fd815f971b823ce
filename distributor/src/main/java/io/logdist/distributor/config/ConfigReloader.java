package io.logdist.distributor.config;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.loop.LoopNotAnswering;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Applies the configuration file to the running distributor when it changes (polled) or
 * on SIGHUP: analyzers are added, removed (drained first) or reweighted in place, through
 * the distributor's control methods, without dropping a connection or a packet. The file
 * is the desired state: analyzers added through the admin API and not in the file are
 * removed by the next reload (unless the analyzers come from {@code --analyzer} flags,
 * which win over the file: then a reload leaves the analyzers alone).
 *
 * <p>An invalid file is refused with one log line naming the file, line and field (from
 * {@link ConfigFile}); the running configuration stays. Settings other than the analyzers
 * (listen address, windows, timeouts...) take effect on restart; a reload that changes one
 * says so.
 *
 * <p>Thread: every reload runs on the reloader's own thread ({@code config-reload}), one at
 * a time; {@link #requestReload}, {@link #start}, {@link #reloadOnHangup} and
 * {@link #close} may be called from any thread.
 */
public final class ConfigReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Distributor distributor;
    private final Path file;
    private final Supplier<DistributorConfig> load;
    private final boolean analyzersFromFile;
    private final long pollMs;
    private final ScheduledExecutorService thread =
        Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("config-reload", true));
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private volatile String lastError;
    // Reloader thread only.
    private DistributorConfig running;
    private FileStamp seen;
    private FileStamp pending;

    /** The file's modification time, size and content checksum: what tells a change. */
    public record FileStamp(long modifiedMs, long size, int contentHash) {
        /** The stamp of {@code file} now (all -1 when it cannot be read). */
        public static FileStamp of(Path file) {
            try {
                byte[] content = Files.readAllBytes(file);
                return new FileStamp(Files.getLastModifiedTime(file).toMillis(), content.length, Arrays.hashCode(content));
            } catch (IOException e) {
                return new FileStamp(-1, -1, 0);
            }
        }
    }

    /**
     * @param load              reads the file (and applies any flags over it); throws
     *                          {@link IllegalArgumentException} with a one-line message when invalid
     * @param analyzersFromFile false when {@code --analyzer} flags gave the analyzers
     * @param pollInterval      how often to look at the file
     * @param readAs            the file's stamp taken before the running configuration was read
     *                          from it, so that an edit made while the distributor started counts
     *                          as a change; null: the file as it is at {@link #start()}
     */
    public ConfigReloader(Distributor distributor, Path file, Supplier<DistributorConfig> load, boolean analyzersFromFile,
                          Duration pollInterval, FileStamp readAs) {
        this.seen = readAs;
        this.distributor = distributor;
        this.file = file;
        this.load = load;
        this.analyzersFromFile = analyzersFromFile;
        this.pollMs = Math.max(10, pollInterval.toMillis());
        this.running = distributor.config();
    }

    /** Starts watching the file: changes after this call are applied. */
    public void start() {
        // Taken here (unless given), not on the thread: a change made right after start() returns must count.
        // (Handing the executor its first task publishes the field to the reloader thread.)
        if (seen == null) {
            seen = stamp();
        }
        thread.scheduleWithFixedDelay(this::pollGuarded, pollMs, pollMs, TimeUnit.MILLISECONDS);
    }

    /**
     * A task of a fixed-delay schedule that throws is never run again: one unexpected
     * failure (an event loop too slow to answer, say) must not end the watching, silently.
     */
    private void pollGuarded() {
        guarded(this::poll);
    }

    /** Runs a poll or a requested reload; an unexpected failure is logged, never lost in a future nobody reads. */
    private void guarded(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.atError().addKeyValue("file", file.toString()).setCause(e)
                .log("config: applying {} failed ({}); the file is still watched, and SIGHUP retries", file, e.toString());
        }
    }

    /**
     * Reloads on SIGHUP from now on.
     *
     * @return false when this JVM cannot handle SIGHUP (nothing changed)
     */
    public boolean reloadOnHangup() {
        return Signals.onHangup(() -> requestReload("SIGHUP"));
    }

    /** Reloads the file now (on the reloader thread), whether or not it changed. */
    public Future<?> requestReload(String why) {
        try {
            // SIGHUP drops the future: a failure must be logged here.
            return thread.submit(() -> guarded(() -> {
                seen = stamp();
                pending = null;
                reload(why);
            }));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Reloads that were applied (a valid file, changed or not). */
    public long applied() {
        return applied.get();
    }

    /** Reloads refused because the file was invalid. */
    public long refused() {
        return refused.get();
    }

    /** Why the last refused reload was refused; null when none was. */
    public String lastError() {
        return lastError;
    }

    private void poll() {
        FileStamp now = stamp();
        if (Objects.equals(now, seen)) {
            pending = null;
            return;
        }
        // Wait until the file holds still for one interval: an editor may be half-way through writing it.
        if (!now.equals(pending)) {
            pending = now;
            return;
        }
        seen = now;
        pending = null;
        reload("the file changed");
    }

    private FileStamp stamp() {
        return FileStamp.of(file);
    }

    private void reload(String why) {
        DistributorConfig next;
        try {
            next = load.get();
        } catch (IllegalArgumentException e) {
            lastError = e.getMessage();
            refused.incrementAndGet();
            LOG.atWarn().addKeyValue("file", file.toString())
                .log("config: reload ({}) refused, the running configuration stays: {}", why, e.getMessage());
            return;
        }
        List<String> changes = reconfigure(next, "config reload: " + why);
        applied.incrementAndGet();
        LOG.atInfo().addKeyValue("file", file.toString()).log("config: reloaded {} ({}): {}", file, why,
            changes.isEmpty() ? "nothing changed" : String.join("; ", changes));
    }

    /**
     * Makes the running analyzers those of {@code next} (unless they come from flags) and
     * reports the other settings that differ. Runs on the reloader thread.
     *
     * <p>Each analyzer change is logged by the distributor (or its link) as it is made,
     * naming {@code by}; the reload's own line only counts them and says what failed.
     *
     * @param by why the reload happened, for the distributor's log of each change
     * @return what the reload's log line says: the number of analyzer changes, what could
     *         not be changed and the settings that take effect on restart
     */
    List<String> reconfigure(DistributorConfig next, String by) {
        List<String> out = new ArrayList<>();
        if (analyzersFromFile) {
            AnalyzerChanges changes = AnalyzerChanges.between(distributor.analyzers(), next.analyzers());
            int made = 0;
            for (String name : changes.removed()) {
                made += remove(name, by, out) ? 1 : 0;
            }
            for (Map.Entry<String, Double> e : changes.reweighted().entrySet()) {
                made += reweight(e.getKey(), e.getValue(), by, out) ? 1 : 0;
            }
            for (AnalyzerSpec spec : changes.added()) {
                made += add(spec, by, out) ? 1 : 0;
            }
            for (AnalyzerSpec spec : changes.moved()) {
                made += move(spec, by, out) ? 1 : 0;
            }
            if (made > 0) {
                out.add(0, made + (made == 1 ? " analyzer change" : " analyzer changes"));
            }
        }
        for (String field : restartOnlyChanges(running, next)) {
            out.add(field + " changed; that takes effect on restart");
        }
        running = next;
        return out;
    }

    // The helpers below return true when the change was made (the distributor logs it), else false with the reason in out.

    private boolean add(AnalyzerSpec spec, String by, List<String> out) {
        try {
            distributor.addAnalyzer(spec, by);
            return true;
        } catch (IllegalStateException | IllegalArgumentException | LoopNotAnswering e) {
            out.add("could not add " + spec.name() + ": " + e.getMessage());
            return false;
        }
    }

    private boolean remove(String name, String by, List<String> out) {
        try {
            // A reload while it drains (the file listing it again) finds it still there and
            // changes nothing: once it is gone, what the file says then is what counts.
            distributor.removeAnalyzer(name, by).whenComplete((ok, failure) -> afterRemoval(name, by));
            return true;
        } catch (NoSuchElementException e) {
            out.add(name + " was already gone");
            return false;
        } catch (LoopNotAnswering e) {
            out.add("could not remove " + name + ": " + e.getMessage());
            return false;
        }
    }

    private boolean reweight(String name, double weight, String by, List<String> out) {
        try {
            distributor.setWeight(name, weight, by);
            return true;
        } catch (NoSuchElementException | IllegalArgumentException | LoopNotAnswering e) {
            out.add("could not reweight " + name + ": " + e.getMessage());
            return false;
        }
    }

    /** A new address: drain and remove the old one, then add the new one on this thread. */
    private boolean move(AnalyzerSpec spec, String by, List<String> out) {
        try {
            distributor.removeAnalyzer(spec.name(), by + "; moving to " + spec.address())
                .whenComplete((ok, failure) -> afterRemoval(spec.name(), by));
            return true;
        } catch (NoSuchElementException e) {
            return add(spec, by, out);
        } catch (LoopNotAnswering e) {
            out.add("could not move " + spec.name() + ": " + e.getMessage());
            return false;
        }
    }

    /** Once an analyzer removed by a reload is gone (any thread): {@link #addBack} on the reloader thread. */
    private void afterRemoval(String name, String by) {
        try {
            thread.execute(() -> addBack(name, by));
        } catch (RejectedExecutionException e) {
            LOG.debug("config: closed before {} could be added back", name);
        }
    }

    /**
     * After an analyzer removed by a reload is gone: the second half of a move, or the
     * answer to a reload that listed it again while it drained (which found it still there
     * and changed nothing). What is added is what the file says now, and nothing when it no
     * longer lists it or it is back already (an earlier move's second half). A failure gets
     * its own line, as the reload's was written. Reloader thread.
     */
    private void addBack(String name, String by) {
        AnalyzerSpec spec = running.analyzers().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
        if (spec == null || distributor.links().stream().anyMatch(l -> l.name().equals(name))) {
            return;
        }
        List<String> failed = new ArrayList<>();
        if (!add(spec, by, failed)) {
            LOG.atWarn().addKeyValue("analyzer", spec.name()).log("config: {}", failed.get(0));
        }
    }

    /** The settings other than the analyzers that differ between two configurations. */
    static List<String> restartOnlyChanges(DistributorConfig a, DistributorConfig b) {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : DistributorConfig.class.getRecordComponents()) {
            if (c.getName().equals("analyzers")) {
                continue;
            }
            try {
                if (!Objects.equals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) {
                    out.add(c.getName());
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName(), e);
            }
        }
        return out;
    }

    /** Stops watching; a reload in progress finishes. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(2, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.shutdownNow();
        }
    }
}
