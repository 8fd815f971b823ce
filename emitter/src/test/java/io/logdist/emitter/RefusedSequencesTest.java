package io.logdist.emitter;

import org.junit.jupiter.api.Test;

import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RefusedSequencesTest {
    @Test
    void shouldKeepEverySequenceInOrderAcrossGrowth() {
        RefusedSequences refused = new RefusedSequences();
        assertThat(refused.toArray()).isEmpty();

        for (long s = 1; s <= 1000; s++) {
            refused.add(s * 3);
        }

        assertThat(refused.toArray()).containsExactly(LongStream.rangeClosed(1, 1000).map(s -> s * 3).toArray());
    }

    @Test
    void shouldHandOutACopy() {
        RefusedSequences refused = new RefusedSequences();
        refused.add(7);
        long[] copy = refused.toArray();
        copy[0] = 99;
        assertThat(refused.toArray()).containsExactly(7);
    }
}
