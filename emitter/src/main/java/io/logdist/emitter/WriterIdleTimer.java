package io.logdist.emitter;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Tells the session when its connection has written nothing for a while (so it can PING):
 * after a whole period with no write, at most two periods after the last one.
 *
 * <p>Netty's {@code IdleStateHandler} does this to the nanosecond, but to learn when a
 * write completes it turns every write's void promise into a real one with a listener:
 * three objects per packet, the emitter's largest allocation at high rates. Here a write
 * only sets a flag.
 *
 * <p>Thread: the channel's event loop only.
 */
final class WriterIdleTimer extends ChannelDuplexHandler {
    private final long periodNanos;
    private final Runnable onIdle;
    private boolean wrote;
    private ScheduledFuture<?> timer;

    WriterIdleTimer(long period, TimeUnit unit, Runnable onIdle) {
        this.periodNanos = unit.toNanos(period);
        this.onIdle = onIdle;
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

    private void check() {
        if (wrote) {
            wrote = false;
        } else {
            onIdle.run();
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
