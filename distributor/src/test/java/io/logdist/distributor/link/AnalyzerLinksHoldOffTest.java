package io.logdist.distributor.link;

import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.loop.LoopContexts;
import io.logdist.distributor.routing.RoutingTables;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An analyzer's hold-off (a NACK with a retryAfterMillis) against the races of its end: the
 * links are never dialled, and the hold-off's clock is the test's.
 */
class AnalyzerLinksHoldOffTest {
    private static final long MS = 1_000_000L;

    private final EventLoopGroup group = Transport.best().newGroup(2, new DefaultThreadFactory("hold-off-test"));
    private final AtomicLong now = new AtomicLong();
    /** Runs once, inside the next clock read. */
    private final AtomicReference<Runnable> atNextClockRead = new AtomicReference<>();
    private final AnalyzerLinks analyzer;

    AnalyzerLinksHoldOffTest() {
        RoutingTables tables = new RoutingTables();
        LoopContexts loops = new LoopContexts(group, tables);
        LinkSettings settings = new LinkSettings(1, "test", 64, 1 << 20, 10, 100, 1_000, 3, 0, 1 << 20, 3, 1_000, 60_000, 30_000);
        analyzer = new AnalyzerLinks(new AnalyzerSpec("a", new HostPort("127.0.0.1", 1), 1), loops.all(), tables,
            Transport.best(), settings, DeadLetters.NONE, false, () -> {
                Runnable r = atNextClockRead.getAndSet(null);
                if (r != null) {
                    r.run();
                }
                return now.get();
            });
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldKeepAHoldOffAskedForWhileTheLastOneWasEnding() throws Exception {
        AnalyzerLink first = analyzer.links().get(0);
        AnalyzerLink second = analyzer.links().get(1);
        first.loop().eventLoop().submit(() -> analyzer.holdOff(first, 10)).sync();
        assertThat(analyzer.isHeldOff()).isTrue();

        // The end of that hold-off, due 10 ms from now, has read the deadline and finds it past;
        // just then a NACK on the other loop asks for a minute more.
        now.set(20 * MS);
        atNextClockRead.set(() -> analyzer.holdOff(second, 60_000));
        await().atMost(Duration.ofSeconds(5)).until(() -> atNextClockRead.get() == null);
        first.loop().eventLoop().submit(() -> { }).sync(); // the end has run to its last line

        assertThat(analyzer.isHeldOff()).as("the minute the analyzer asked for on the other loop").isTrue();
    }

    @Test
    void shouldEndAHoldOffWhenItsTimeHasCome() throws Exception {
        AnalyzerLink first = analyzer.links().get(0);
        first.loop().eventLoop().submit(() -> analyzer.holdOff(first, 10)).sync();
        now.set(20 * MS);
        await().atMost(Duration.ofSeconds(5)).until(() -> !analyzer.isHeldOff());
    }
}
