package io.logdist.emitter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnackedTest {
    private final List<String> settled = new ArrayList<>();
    private final Unacked.SettleListener listener = new Unacked.SettleListener() {
        @Override
        public void onAcked(long sequence, long intendedNs, int messages, int payloadBytes) {
            settled.add("acked " + sequence + " at " + intendedNs + ": " + messages + " msgs, " + payloadBytes + " bytes");
        }

        @Override
        public void onRefusedSettled(long sequence) {
            settled.add("refused " + sequence);
        }
    };

    @Test
    void shouldNumberPacketsFromOneAndSettleThemCumulatively() {
        Unacked unacked = new Unacked(4);
        ByteBuf a = Unpooled.buffer(8);
        ByteBuf b = Unpooled.buffer(8);
        ByteBuf c = Unpooled.buffer(8);

        assertThat(unacked.append(a, 100, 2, 20)).isEqualTo(1);
        assertThat(unacked.append(b, 200, 3, 30)).isEqualTo(2);
        assertThat(unacked.append(c, 300, 4, 40)).isEqualTo(3);
        assertThat(unacked.inFlight()).isEqualTo(3);

        assertThat(unacked.settleThrough(2, listener)).isEqualTo(2);

        assertThat(settled).containsExactly("acked 1 at 100: 2 msgs, 20 bytes", "acked 2 at 200: 3 msgs, 30 bytes");
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
        assertThat(c.refCnt()).isOne();
        assertThat(unacked.ackedThrough()).isEqualTo(2);
        assertThat(unacked.frame(3)).isSameAs(c);
        unacked.releaseAll();
        assertThat(c.refCnt()).isZero();
    }

    @Test
    void shouldHandOverARefusedFrameAndSettleItAsRefused() {
        Unacked unacked = new Unacked(4);
        ByteBuf a = Unpooled.buffer(8);
        ByteBuf b = Unpooled.buffer(8);
        unacked.append(a, 1, 1, 1);
        unacked.append(b, 2, 1, 1);

        ByteBuf taken = unacked.refuse(1);

        assertThat(taken).isSameAs(a);
        assertThat(unacked.refuse(1)).as("refused twice").isNull();
        assertThat(unacked.frame(1)).isNull();
        assertThat(unacked.inFlight()).as("still counts against the window").isEqualTo(2);
        assertThat(unacked.unsettledPackets()).isEqualTo(1);

        unacked.settleThrough(2, listener);

        assertThat(settled).containsExactly("refused 1", "acked 2 at 2: 1 msgs, 1 bytes");
        assertThat(a.refCnt()).as("the caller owns the refused frame").isOne();
        a.release();
    }

    @Test
    void shouldIgnoreAnAckBeyondWhatWasSentAndARefusalOfWhatIsNotInFlight() {
        Unacked unacked = new Unacked(2);
        unacked.append(Unpooled.buffer(1), 0, 1, 1);

        assertThat(unacked.settleThrough(9, listener)).isEqualTo(1);
        assertThat(unacked.ackedThrough()).isEqualTo(1);
        assertThat(unacked.refuse(1)).isNull();
        assertThat(unacked.refuse(5)).isNull();
        assertThat(unacked.isEmpty()).isTrue();
    }

    @Test
    void shouldRefuseToGrowPastItsCapacity() {
        Unacked unacked = new Unacked(3);
        for (int i = 0; i < 3; i++) {
            unacked.append(Unpooled.buffer(1), 0, 1, 1);
        }

        ByteBuf extra = Unpooled.buffer(1);
        assertThatThrownBy(() -> unacked.append(extra, 0, 1, 1)).isInstanceOf(IllegalStateException.class);
        extra.release();
        unacked.releaseAll();
    }

    @Test
    void shouldWrapAroundTheRing() {
        Unacked unacked = new Unacked(3);
        for (int round = 0; round < 10; round++) {
            unacked.append(Unpooled.buffer(1), round, 1, 1);
            unacked.append(Unpooled.buffer(1), round, 1, 1);
            unacked.settleThrough(unacked.highestSent(), listener);
        }

        assertThat(unacked.ackedThrough()).isEqualTo(20);
        assertThat(settled).hasSize(20);
    }

    @Test
    void shouldSkipNumbersOnlyWhenNothingIsInFlight() {
        Unacked unacked = new Unacked(2);
        unacked.skipTo(50);

        assertThat(unacked.append(Unpooled.buffer(1), 0, 1, 1)).isEqualTo(51);
        assertThatThrownBy(() -> unacked.skipTo(60)).isInstanceOf(IllegalStateException.class);
        unacked.releaseAll();
    }
}
