package io.logdist.distributor.link;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.SocketUtils;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Resolves analyzers' host names for the links' connects on a thread of its own. Netty's
 * default resolver (and {@code DefaultNameResolver}) does the JDK's blocking lookup on
 * the thread that asks, the connecting channel's event loop: a slow DNS server would then
 * stall every loop that carries packets, at every reconnect (an analyzer has a link on
 * each loop). The lookup is still the JDK's, so /etc/hosts and the JVM's address cache
 * apply as before; only the thread differs.
 *
 * <p>Thread-safe; one for the process ({@link #INSTANCE}). Its thread is a daemon, idle
 * until a connect needs it.
 */
final class HostResolver extends AddressResolverGroup<InetSocketAddress> {
    /** A name lookup that may block: the JDK's, or a test's. */
    @FunctionalInterface
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    static final HostResolver INSTANCE = new HostResolver(SocketUtils::allAddressesByName);

    private final EventExecutor lookups = new DefaultEventExecutor(new DefaultThreadFactory("ldp-resolver", true));
    private final Lookup lookup;

    HostResolver(Lookup lookup) {
        this.lookup = lookup;
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        // Netty keeps one per event loop; all of them look up on the one thread.
        return new OffLoopNameResolver(lookups, lookup).asAddressResolver();
    }

    /** Answers on the lookup thread: the caller gets its future at once. */
    private static final class OffLoopNameResolver extends InetNameResolver {
        private final Lookup lookup;

        OffLoopNameResolver(EventExecutor lookups, Lookup lookup) {
            super(lookups);
            this.lookup = lookup;
        }

        @Override
        protected void doResolve(String host, Promise<InetAddress> promise) {
            executor().execute(() -> {
                try {
                    promise.setSuccess(lookup.all(host)[0]);
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            });
        }

        @Override
        protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
            executor().execute(() -> {
                try {
                    promise.setSuccess(Arrays.asList(lookup.all(host)));
                } catch (UnknownHostException e) {
                    promise.setFailure(e);
                }
            });
        }
    }
}
