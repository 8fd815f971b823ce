package io.logdist.emitter;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
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

    /** Moves the channel's clock on and runs what fell due, as the loop would. */
    private void elapse(long seconds) {
        ch.advanceTimeBy(seconds, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
    }

    @AfterEach
    void releaseAll() {
        ch.finishAndReleaseAll();
    }

    @Test
    void shouldReportIdleAfterAPeriodWithoutWrites() {
        elapse(4);
        assertThat(idle).hasValue(0);
        elapse(1);
        assertThat(idle).hasValue(1);
        elapse(5);
        assertThat(idle).hasValue(2);
    }

    @Test
    void shouldNotReportIdleWhileWriting() {
        for (int i = 0; i < 4; i++) {
            elapse(3); // checks due by now run before this write, as on a real loop
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise());
        }
        assertThat(idle).hasValue(0);
        elapse(10); // last write at 12 s: the check at 15 s clears it, the one at 20 s finds nothing
        assertThat(idle).hasValue(1);
    }

    // Not ch.close(): EmbeddedChannel's close cancels every scheduled task by itself, timer or not.
    @Test
    void shouldStopReportingOnceTheChannelIsInactive() {
        ch.pipeline().fireChannelInactive();
        elapse(20);
        assertThat(idle).hasValue(0);
    }

    @Test
    void shouldStopReportingOnceRemoved() {
        ch.pipeline().remove(IdleTimer.class);
        elapse(20);
        assertThat(idle).hasValue(0);
    }

    @Test
    void shouldReportSilenceAfterThreePeriodsWithoutAReadWhateverIsWritten() {
        for (int i = 0; i < 2; i++) {
            elapse(5);
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise()); // a PING, say
        }
        assertThat(silent).hasValue(0);
        elapse(5);
        assertThat(silent).as("15 s without a read").hasValue(1);
    }

    @Test
    void shouldNotReportSilenceWhileTheDistributorSpeaks() {
        for (int i = 0; i < 8; i++) {
            elapse(5);
            if (i % 2 == 0) {
                ch.writeInbound("a PONG"); // once every two periods: never three in a row unheard
            }
        }
        assertThat(silent).hasValue(0);
        assertThat(ch.<String>readInbound()).as("reads go on up the pipeline").isEqualTo("a PONG");
    }
}
