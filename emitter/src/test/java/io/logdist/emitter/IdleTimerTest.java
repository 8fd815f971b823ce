package io.logdist.emitter;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The keep-alive trigger: idle only after a whole period without a write; writes do not
 * change their promises. And the silence of the distributor: three periods without a read.
 */
class IdleTimerTest {
    private final AtomicInteger idle = new AtomicInteger();
    private final AtomicInteger silent = new AtomicInteger();
    private final EmbeddedChannel ch = new EmbeddedChannel(
        new IdleTimer(5, TimeUnit.SECONDS, 3, idle::incrementAndGet, silent::incrementAndGet));

    @Test
    void shouldReportIdleAfterAPeriodWithoutWrites() {
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(idle).hasValue(0);
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(idle).hasValue(1);
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(idle).hasValue(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldNotReportIdleWhileWriting() {
        for (int i = 0; i < 4; i++) {
            ch.advanceTimeBy(3, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks(); // checks due by now run before this write, as on a real loop
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise());
        }
        assertThat(idle).hasValue(0);
        ch.advanceTimeBy(10, TimeUnit.SECONDS); // last write at 12 s: the check at 15 s clears it, the one at 20 s finds nothing
        ch.runScheduledPendingTasks();
        assertThat(idle).hasValue(1);
        ch.finishAndReleaseAll();
    }

    // Not ch.close(): EmbeddedChannel's close cancels every scheduled task by itself, timer or not.
    @Test
    void shouldStopReportingOnceTheChannelIsInactive() {
        ch.pipeline().fireChannelInactive();
        ch.advanceTimeBy(20, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(idle).hasValue(0);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldStopReportingOnceRemoved() {
        ch.pipeline().remove(IdleTimer.class);
        ch.advanceTimeBy(20, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(idle).hasValue(0);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldReportSilenceAfterThreePeriodsWithoutAReadWhateverIsWritten() {
        for (int i = 0; i < 2; i++) {
            ch.advanceTimeBy(5, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise()); // a PING, say
        }
        assertThat(silent).hasValue(0);
        ch.advanceTimeBy(5, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(silent).as("15 s without a read").hasValue(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldNotReportSilenceWhileTheDistributorSpeaks() {
        for (int i = 0; i < 8; i++) {
            ch.advanceTimeBy(5, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            if (i % 2 == 0) {
                ch.writeInbound("a PONG"); // once every two periods: never three in a row unheard
            }
        }
        assertThat(silent).hasValue(0);
        assertThat(ch.<String>readInbound()).as("reads go on up the pipeline").isEqualTo("a PONG");
        ch.finishAndReleaseAll();
    }
}
