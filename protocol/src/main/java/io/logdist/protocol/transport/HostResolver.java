package io.logdist.protocol.transport;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.SocketUtils;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Resolves the host names that the programs dial (the distributor's analyzers, the
 * emitter's distributor) on a thread of its own; give it to every {@code Bootstrap} with
 * {@code .resolver(HostResolver.INSTANCE)}. Netty's default resolver (and
 * {@code DefaultNameResolver}) does the JDK's blocking lookup on the thread that asks, the
 * connecting channel's event loop: a slow DNS server would then stall every connection
 * on that loop, at every reconnect (an analyzer has a link on each of the distributor's
 * loops; an emitter's connections share its loops). The lookup is still the JDK's, so
 * /etc/hosts and the JVM's address cache apply as before; only the thread differs.
 *
 * <p>Thread-safe; one for the process ({@link #INSTANCE}). Its lookup threads are daemons,
 * made as lookups need them and gone after a minute idle. An address written as an IP
 * literal is answered at once, with no lookup.
 */
public final class HostResolver extends AddressResolverGroup<InetSocketAddress> {
    /** A name lookup that may block: the JDK's, or a test's. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    public static final HostResolver INSTANCE = new HostResolver(SocketUtils::allAddressesByName);

    /** Each lookup on a thread of its own, so one host whose lookup hangs holds up no other's. */
    private final ExecutorService lookups = Executors.newCachedThreadPool(new DefaultThreadFactory("ldp-resolver", true));
    private final Lookup lookup;

    HostResolver(Lookup lookup) {
        this.lookup = lookup;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        // Netty keeps one per event loop; its promises notify on that loop.
        return new OffLoopNameResolver(loop, lookups, lookup).asAddressResolver();
    }

    /** Answers from a lookup thread: the caller gets its future at once. */
    private static final class OffLoopNameResolver extends InetNameResolver {
        private final ExecutorService lookups;
        private final Lookup lookup;

        OffLoopNameResolver(EventExecutor loop, ExecutorService lookups, Lookup lookup) {
            super(loop);
            this.lookups = lookups;
            this.lookup = lookup;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            InetAddress literal = NetUtil.createInetAddressFromIpAddressString(host);
            if (literal != null) {
                promise.setSuccess(literal); // an IP literal needs no lookup, nor a thread
                return;
            }
            answerOffLoop(promise, () -> lookup.all(host)[0]);
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            answerOffLoop(promise, () -> Arrays.asList(lookup.all(host)));
        }

        private <T> void answerOffLoop(Promise<T> promise, Answer<T> answer) {
            lookups.execute(() -> {
                try {
                    promise.trySuccess(answer.get());
                } catch (Throwable t) { // whatever it is, the connect waiting on it must hear of it
                    promise.tryFailure(t);
                }
            });
        }

        @FunctionalInterface
        private interface Answer<T> {
            T get() throws UnknownHostException;
        }
    }
}
