package io.logdist.emitter;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Watches a connection to the distributor on one timer: tells the session when it has
 * written nothing for a while (so it can PING), and when it has heard nothing for
 * {@code silentPeriods} periods in a row, not even the PONG of such a PING (a distributor
 * that is stopped, wedged or gone without a FIN: TCP alone would wait for hours).
 * Each is noticed a whole period after the last write or read, at most two.
 *
 * <p>Netty's {@code IdleStateHandler} does this to the nanosecond, but to learn when a
 * write completes it turns every write's void promise into a real one with a listener:
 * three objects per packet, the emitter's largest allocation at high rates. Here a write
 * or a read only sets a flag.
 *
 * <p>Thread: the channel's event loop only.
 */
final class IdleTimer extends ChannelDuplexHandler {
    private final long periodNanos;
    private final int silentPeriods;
    private final Runnable onWriterIdle;
    private final Runnable onSilent;
    private boolean wrote;
    private boolean heard;
    private int periodsUnheard;
    private ScheduledFuture<?> timer;

    IdleTimer(long period, TimeUnit unit, int silentPeriods, Runnable onWriterIdle, Runnable onSilent) {
        this.periodNanos = unit.toNanos(period);
        this.silentPeriods = silentPeriods;
        this.onWriterIdle = onWriterIdle;
        this.onSilent = onSilent;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timer = ctx.executor().scheduleAtFixedRate(this::check, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        wrote = true;
        ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        heard = true;
        ctx.fireChannelRead(msg);
    }

    private void check() {
        if (wrote) {
            wrote = false;
        } else {
            onWriterIdle.run();
        }
        if (heard) {
            heard = false;
            periodsUnheard = 0;
        } else if (++periodsUnheard >= silentPeriods) {
            periodsUnheard = 0;
            onSilent.run();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
