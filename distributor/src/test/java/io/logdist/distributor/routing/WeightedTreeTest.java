package io.logdist.distributor.routing;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class WeightedTreeTest {

    private static double[] shares(WeightedTree tree, int slots, long messages, SplittableRandom random, int maxPerPacket) {
        long[] charged = new long[slots];
        long total = 0;
        while (total < messages) {
            int m = 1 + random.nextInt(maxPerPacket);
            charged[tree.pick(m)] += m;
            total += m;
        }
        double[] s = new double[slots];
        for (int i = 0; i < slots; i++) {
            s[i] = (double) charged[i] / total;
        }
        return s;
    }

    @Test
    void shouldSplitAMillionMessagesWithinATenthOfAPointOfTheWeights() {
        double[] weights = {0.4, 0.3, 0.2, 0.1};
        double[] s = shares(new WeightedTree(weights), 4, 1_000_000, new SplittableRandom(42), 64);
        for (int i = 0; i < weights.length; i++) {
            assertThat(s[i]).as("share of slot %d", i).isCloseTo(weights[i], within(0.001));
        }
    }

    @Test
    void shouldHonourRelativeWeightsThatDoNotSumToOne() {
        double[] weights = {5, 3, 1, 1};
        double[] s = shares(new WeightedTree(weights), 4, 1_000_000, new SplittableRandom(7), 64);
        assertThat(s[0]).isCloseTo(0.5, within(0.001));
        assertThat(s[1]).isCloseTo(0.3, within(0.001));
        assertThat(s[2]).isCloseTo(0.1, within(0.001));
        assertThat(s[3]).isCloseTo(0.1, within(0.001));
    }

    @Test
    void shouldStayAccurateWithManySlotsOfUnevenWeight() {
        int n = 1024;
        double[] weights = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = 1 + (i % 7);
            sum += weights[i];
        }
        double[] s = shares(new WeightedTree(weights), n, 5_000_000, new SplittableRandom(3), 64);
        for (int i = 0; i < n; i++) {
            assertThat(s[i]).as("share of slot %d", i).isCloseTo(weights[i] / sum, within(0.0005));
        }
    }

    @Test
    void shouldBeDeterministic() {
        double[] weights = {0.4, 0.3, 0.2, 0.1};
        WeightedTree a = new WeightedTree(weights);
        WeightedTree b = new WeightedTree(weights);
        for (int i = 0; i < 10_000; i++) {
            int m = 1 + (i * 31 % 64);
            assertThat(a.pick(m)).isEqualTo(b.pick(m));
        }
    }

    @Test
    void shouldKeepEachSlotWithinOnePacketOfItsIdealShareAtEveryStep() {
        double[] weights = {0.4, 0.3, 0.2, 0.1};
        WeightedTree tree = new WeightedTree(weights);
        long[] charged = new long[4];
        long total = 0;
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            int m = 1 + r.nextInt(64);
            charged[tree.pick(m)] += m;
            total += m;
            for (int s = 0; s < 4; s++) {
                assertThat(Math.abs(charged[s] - weights[s] * total)).isLessThanOrEqualTo(64 * 2);
            }
        }
    }

    @Test
    void shouldRefuseNonPositiveWeights() {
        assertThatThrownBy(() -> new WeightedTree(new double[]{1, 0})).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight[1]");
        assertThatThrownBy(() -> new WeightedTree(new double[0])).isInstanceOf(IllegalArgumentException.class);
    }
}
