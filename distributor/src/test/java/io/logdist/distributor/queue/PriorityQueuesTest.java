package io.logdist.distributor.queue;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PriorityQueuesTest {

    private static Packet packet(int priority, long sequence) {
        return Packet.of(Unpooled.buffer(40).writeZero(40), null, sequence, 1, priority);
    }

    @Test
    void shouldServeMostUrgentLevelFirstAndFifoWithinALevel() {
        PriorityQueues q = new PriorityQueues();
        int[] priorities = {255, 3, 0, 3, 64, 63, 128, 0, 200};
        for (int i = 0; i < priorities.length; i++) {
            q.add(packet(priorities[i], i));
        }
        assertThat(q.size()).isEqualTo(priorities.length);
        List<String> order = new ArrayList<>();
        Packet p;
        while ((p = q.poll()) != null) {
            order.add(p.priority + "/" + p.sequence);
            p.recycle();
        }
        assertThat(order).containsExactly("0/2", "0/7", "3/1", "3/3", "63/5", "64/4", "128/6", "200/8", "255/0");
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.firstNonEmpty()).isEqualTo(-1);
    }

    @Test
    void shouldDrainEverythingInPriorityOrder() {
        PriorityQueues q = new PriorityQueues();
        for (int i = 255; i >= 0; i--) {
            q.add(packet(i, i));
        }
        PacketList out = new PacketList();
        q.drainTo(out);
        assertThat(q.isEmpty()).isTrue();
        for (int i = 0; i < 256; i++) {
            Packet p = out.poll();
            assertThat(p.priority).isEqualTo(i);
            p.recycle();
        }
        assertThat(out.isEmpty()).isTrue();
    }

    @Test
    void unackedDeliveriesShouldSettleOnlyTheAcknowledgedPrefix() {
        UnackedDeliveries u = new UnackedDeliveries();
        for (int i = 1; i <= 5; i++) {
            Packet p = packet(0, i);
            p.deliveryId = i;
            u.add(p);
        }
        assertThat(u.find(4).sequence).isEqualTo(4);
        List<Long> settled = new ArrayList<>();
        Packet p;
        while ((p = u.pollThrough(3)) != null) {
            settled.add(p.deliveryId);
            p.recycle();
        }
        assertThat(settled).containsExactly(1L, 2L, 3L);
        assertThat(u.size()).isEqualTo(2);
        PacketList rest = new PacketList();
        u.drainTo(rest);
        assertThat(rest.size()).isEqualTo(2);
        while ((p = rest.poll()) != null) {
            p.recycle();
        }
    }

    @Test
    void shouldKeepTheLeastUrgentLevelMovingUnderAFloodOfTheMostUrgent() {
        PriorityQueues q = new PriorityQueues();
        for (int i = 0; i < 100; i++) {
            q.add(packet(255, i));
        }
        int served255 = 0;
        // A sustained flood: every poll is replaced by a new priority-0 packet.
        for (int i = 0; i < 1_600; i++) {
            q.add(packet(0, 1_000 + i));
            Packet p = q.poll();
            if (p.priority == 255) {
                served255++;
            }
            p.recycle();
        }
        // One poll in FAIR_SHARE_EVERY goes round robin over the non-empty levels (here 0 and 255).
        assertThat(served255).as("priority 255 served under a flood of priority 0")
            .isEqualTo(1_600 / PriorityQueues.FAIR_SHARE_EVERY / 2);
        Packet p;
        while ((p = q.poll()) != null) {
            p.recycle();
        }
    }
}
