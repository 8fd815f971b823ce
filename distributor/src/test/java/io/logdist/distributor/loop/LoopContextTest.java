package io.logdist.distributor.loop;

import io.logdist.distributor.queue.Packet;
import io.logdist.distributor.routing.RoutingTable;
import io.logdist.protocol.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A loop's parked packets, with no analyzer up (an empty routing table). */
class LoopContextTest {
    private final EventLoopGroup group = Transport.best().newGroup(1, new DefaultThreadFactory("loop-context-test"));
    private final LoopContext loop = new LoopContexts(group, () -> RoutingTable.EMPTY).all().get(0);

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void shouldReleaseWhatWouldBeParkedOnceTheLoopReleasedAll() throws Exception {
        ByteBuf before = Unpooled.buffer(64).writeZero(64);
        ByteBuf after = Unpooled.buffer(64).writeZero(64);
        int[] parked = new int[2];
        loop.eventLoop().submit(() -> {
            loop.route(Packet.of(before, null, 1, 1, 0));
            parked[0] = loop.parkedPackets();
            loop.releaseAll();
            // A packet that comes after, read from an emitter or dropped by a closing link, as
            // Distributor.close() can see before the loops stop: nothing would route it again.
            loop.route(Packet.of(after, null, 2, 1, 0));
            parked[1] = loop.parkedPackets();
        }).sync();

        assertThat(parked[0]).as("parked with no analyzer up").isEqualTo(1);
        assertThat(before.refCnt()).as("released by releaseAll").isZero();
        assertThat(parked[1]).isZero();
        assertThat(after.refCnt()).as("released, not parked for good").isZero();
    }
}
