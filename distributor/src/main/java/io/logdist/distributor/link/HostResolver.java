package io.logdist.distributor.link;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultNameResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;

import java.net.InetSocketAddress;

/**
 * Resolves analyzers' host names for the links' connects on a thread of its own. Netty's
 * default resolves with the JDK's blocking lookup on the connecting channel's event loop:
 * a slow DNS server would then stall every loop that carries packets, at every reconnect
 * (an analyzer has a link on each loop). The lookup is the JDK's, so /etc/hosts and the
 * JVM's address cache apply as before.
 *
 * <p>Thread-safe; one for the process. Its thread is a daemon, idle until a connect needs it.
 */
final class HostResolver extends AddressResolverGroup<InetSocketAddress> {
    static final HostResolver INSTANCE = new HostResolver();

    private final EventExecutor lookups = new DefaultEventExecutor(new DefaultThreadFactory("ldp-resolver", true));

    private HostResolver() {
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
        // Netty keeps one per event loop; every one does its lookups on the same thread.
        return new DefaultNameResolver(lookups).asAddressResolver();
    }
}
