package io.logdist.distributor.routing;

import io.logdist.distributor.config.AnalyzerSpec;
import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.link.AnalyzerLinks;
import io.logdist.distributor.link.DeadLetters;
import io.logdist.distributor.link.LinkSettings;
import io.logdist.distributor.loop.LoopContext;
import io.logdist.distributor.loop.LoopContexts;
import io.logdist.protocol.cli.HostPort;
import io.logdist.protocol.transport.Transport;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Which links a loop's router picks: its own loop's while it has any up, every link when
 * it has none. The links are never dialled; the tests publish tables by hand.
 */
class RouterTest {
    private static final int MESSAGES = 8;
    private static final int LOOPS = 3;

    private EventLoopGroup group;
    private LoopContexts loops;
    private AnalyzerLinks a;
    private AnalyzerLinks b;
    private final AtomicReference<RoutingTable> table = new AtomicReference<>(RoutingTable.EMPTY);

    @BeforeEach
    void setUp() {
        group = Transport.best().newGroup(LOOPS, new DefaultThreadFactory("router-test"));
        RoutingTables tables = new RoutingTables();
        loops = new LoopContexts(group, tables);
        LinkSettings settings = new LinkSettings(1, "test", 64, 1 << 20, 10, 100, 1_000, 3, 0, 1 << 20, 3, 1_000, 60_000, 30_000);
        a = new AnalyzerLinks(new AnalyzerSpec("a", new HostPort("127.0.0.1", 1), 3), loops.all(), tables, Transport.best(),
            settings, DeadLetters.NONE, false);
        b = new AnalyzerLinks(new AnalyzerSpec("b", new HostPort("127.0.0.1", 2), 1), loops.all(), tables, Transport.best(),
            settings, DeadLetters.NONE, false);
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Publishes a table of {@code up} links, as {@link RoutingTables#publish()} does for the links that are up. */
    private void publish(AnalyzerLink... up) {
        table.set(RoutingTable.of(table.get().version() + 1, List.of(up)));
    }

    /** Routes {@code packets} packets on {@code loop}'s router and counts the messages each link got. */
    private Map<AnalyzerLink, Long> route(LoopContext loop, int packets) {
        Router router = new Router(table::get, loop);
        Map<AnalyzerLink, Long> got = new IdentityHashMap<>();
        for (int i = 0; i < packets; i++) {
            got.merge(router.route(MESSAGES), (long) MESSAGES, Long::sum);
        }
        return got;
    }

    private static double share(Map<AnalyzerLink, Long> got, AnalyzerLink link) {
        long total = got.values().stream().mapToLong(Long::longValue).sum();
        return (double) got.getOrDefault(link, 0L) / total;
    }

    @Test
    void shouldKeepEveryPacketOnItsOwnLoopWhenAllLinksAreUp() {
        List<AnalyzerLink> all = new ArrayList<>(a.links());
        all.addAll(b.links());
        publish(all.toArray(new AnalyzerLink[0]));
        for (int i = 0; i < LOOPS; i++) {
            LoopContext loop = loops.all().get(i);
            Map<AnalyzerLink, Long> got = route(loop, 4_000);
            assertThat(got.keySet()).as("loop %d picks its own links only", i).containsExactlyInAnyOrder(a.links().get(i), b.links().get(i));
            assertThat(share(got, a.links().get(i))).isCloseTo(0.75, within(1e-3));
        }
    }

    @Test
    void shouldRescaleALinksLeadWhenItsWeightRises() {
        // a at slow start's 1 % takes one packet: a lead of 100 packets' worth at that weight.
        // Raised to b's weight, it has had one packet more than b, not a hundred.
        a.setWeight(0.01);
        b.setWeight(1);
        LoopContext loop = loops.all().get(0);
        Router router = new Router(table::get, loop);
        publish(a.links().get(0), b.links().get(0));
        int first = 0;
        while (router.route(MESSAGES) != a.links().get(0)) {
            assertThat(++first).as("a is picked within its first packets").isLessThan(3);
        }

        a.setWeight(1);
        publish(a.links().get(0), b.links().get(0));
        int toA = 0;
        for (int i = 0; i < 20; i++) {
            toA += router.route(MESSAGES) == a.links().get(0) ? 1 : 0;
        }

        assertThat(toA).as("a's packets of the next 20 at equal weights").isBetween(9, 10);
    }

    @Test
    void shouldLeaveAnAnalyzerOutOfALoopWhoseLinkToItIsDown() {
        // a's link on loop 0 is down, its link on loop 1 up: loop 0 does not reach a through loop 1.
        publish(a.links().get(1), b.links().get(0), b.links().get(1), b.links().get(2));
        Map<AnalyzerLink, Long> got = route(loops.all().get(0), 1_000);
        assertThat(got.keySet()).containsExactly(b.links().get(0));
        Map<AnalyzerLink, Long> other = route(loops.all().get(1), 4_000);
        assertThat(share(other, a.links().get(1))).isCloseTo(0.75, within(1e-3));
    }

    @Test
    void shouldUseTheOtherLoopsLinksWithTheWeightsWhenItsOwnAreAllDown() {
        publish(a.links().get(1), b.links().get(1));
        Map<AnalyzerLink, Long> got = route(loops.all().get(0), 4_000);
        assertThat(got.keySet()).containsExactlyInAnyOrder(a.links().get(1), b.links().get(1));
        assertThat(share(got, a.links().get(1))).isCloseTo(0.75, within(1e-3));
    }

    @Test
    void shouldSplitAnAnalyzersWeightOverItsLinksWhenRoutingAcrossLoops() {
        // Loop 0 has nothing of its own up; a is up on loops 1 and 2, b on loop 1 only.
        publish(a.links().get(1), a.links().get(2), b.links().get(1));
        Map<AnalyzerLink, Long> got = route(loops.all().get(0), 4_000);
        assertThat(share(got, a.links().get(1)) + share(got, a.links().get(2))).isCloseTo(0.75, within(1e-3));
        assertThat(share(got, a.links().get(1))).isCloseTo(0.375, within(1e-3));
    }

    @Test
    void shouldFindNothingWhenNoLinkIsUp() {
        publish();
        assertThat(new Router(table::get, loops.all().get(0)).route(MESSAGES)).isNull();
    }
}
