package io.logdist.distributor.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/**
 * Netty's aggregator, except for a request whose body is over the limit: instead of
 * writing its own empty 413 at once (ahead of the answers still due to earlier pipelined
 * requests), it hands {@link #TOO_LARGE} on, and {@link AdminHttpHandler} answers in turn,
 * in JSON like every other error, and closes the connection (the rest of the body is
 * dropped unread).
 *
 * <p>Thread: the connection's event loop.
 */
final class AdminRequestAggregator extends HttpObjectAggregator {
    /** Stands for a request refused for the size of its body. */
    static final Object TOO_LARGE = new Object() {
        @Override
        public String toString() {
            return "request body too large";
        }
    };

    AdminRequestAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.fireChannelRead(TOO_LARGE); // the aggregator releases the message itself
    }
}
