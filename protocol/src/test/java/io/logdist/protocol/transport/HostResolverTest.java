package io.logdist.protocol.transport;

import io.netty.resolver.AddressResolver;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.Future;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class HostResolverTest {
    @Test
    void shouldNotMakeTheAskingThreadWaitForASlowLookup() throws Exception {
        // A DNS server that takes its time: the event loop that asks must get its future at once.
        CountDownLatch dnsAnswers = new CountDownLatch(1);
        HostResolver resolver = new HostResolver(host -> {
            try {
                dnsAnswers.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getByAddress(host, new byte[] {10, 0, 0, 7})};
        });
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try {
            AddressResolver<InetSocketAddress> r = resolver.getResolver(loop);

            Future<InetSocketAddress> resolved = r.resolve(InetSocketAddress.createUnresolved("analyzer.example", 7101));

            assertThat(resolved.isDone()).as("returned while the lookup still waits").isFalse();
            dnsAnswers.countDown();
            assertThat(resolved.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(resolved.getNow().getAddress().getHostAddress()).isEqualTo("10.0.0.7");
            assertThat(resolved.getNow().getPort()).isEqualTo(7101);
        } finally {
            dnsAnswers.countDown();
            resolver.close();
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldFailTheConnectWhateverTheLookupThrows() throws Exception {
        // Not only UnknownHostException: a future left unfinished would leave its link connecting forever.
        HostResolver resolver = new HostResolver(host -> new InetAddress[0]);
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try {
            Future<InetSocketAddress> resolved = resolver.getResolver(loop)
                .resolve(InetSocketAddress.createUnresolved("analyzer.example", 7101));

            assertThat(resolved.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(resolved.isSuccess()).isFalse();
        } finally {
            resolver.close();
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldAnswerAnIpLiteralWithoutALookup() throws Exception {
        HostResolver resolver = new HostResolver(host -> {
            throw new java.net.UnknownHostException("no lookup expected for " + host);
        });
        DefaultEventExecutor loop = new DefaultEventExecutor();
        try {
            Future<InetSocketAddress> resolved = resolver.getResolver(loop).resolve(InetSocketAddress.createUnresolved("::1", 7101));

            assertThat(resolved.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(resolved.getNow().getAddress().isLoopbackAddress()).isTrue();
        } finally {
            resolver.close();
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }
}
