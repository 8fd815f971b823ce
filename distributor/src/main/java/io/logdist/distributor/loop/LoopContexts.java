package io.logdist.distributor.loop;

import io.logdist.distributor.routing.RoutingTable;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@link LoopContext} per event loop of the worker group, fixed at start.
 *
 * <p>Immutable after construction; any thread.
 */
public final class LoopContexts {
    private final Map<EventExecutor, LoopContext> byLoop = new IdentityHashMap<>();
    private final List<LoopContext> all = new ArrayList<>();

    public LoopContexts(EventLoopGroup group, Supplier<RoutingTable> tables) {
        for (EventExecutor e : group) {
            LoopContext c = new LoopContext((EventLoop) e, tables);
            byLoop.put(e, c);
            all.add(c);
        }
    }

    public LoopContext forLoop(EventExecutor loop) {
        LoopContext c = byLoop.get(loop);
        if (c == null) {
            throw new IllegalStateException("event loop " + loop + " is not one of the worker group's");
        }
        return c;
    }

    public List<LoopContext> all() {
        return Collections.unmodifiableList(all);
    }
}
