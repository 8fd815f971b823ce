package io.logdist.emitter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PrioritySpecTest {
    @Test
    void shouldParseEveryForm() {
        assertThat(PrioritySpec.parse("fixed:0")).isEqualTo(PrioritySpec.fixed(0));
        assertThat(PrioritySpec.parse("fixed:255")).isEqualTo(PrioritySpec.fixed(255));
        assertThat(PrioritySpec.parse("random")).isEqualTo(PrioritySpec.random());
        assertThat(PrioritySpec.parse("weighted")).isEqualTo(PrioritySpec.weighted());
        assertThat(PrioritySpec.parse("cyclic")).isEqualTo(PrioritySpec.cyclic());
    }

    @Test
    void shouldIgnoreCaseAndSurroundingSpace() {
        assertThat(PrioritySpec.parse(" Fixed:7 ")).isEqualTo(PrioritySpec.fixed(7));
        assertThat(PrioritySpec.parse("WEIGHTED")).isEqualTo(PrioritySpec.weighted());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed:0", "fixed:42", "random", "weighted", "cyclic"})
    void shouldPrintTheFormItWasParsedFrom(String spec) {
        assertThat(PrioritySpec.parse(spec)).hasToString(spec);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "fixed", "fixed:", "fixed:abc", "urgent", "fixed:1:2", "random:3"})
    void shouldRefuseWhatIsNotASpecAndSayWhatIs(String spec) {
        assertThatThrownBy(() -> PrioritySpec.parse(spec))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("fixed:N")
            .hasMessageContaining("weighted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"fixed:256", "fixed:-1", "fixed:1000"})
    void shouldRefuseAFixedPriorityOutsideTheByte(String spec) {
        assertThatThrownBy(() -> PrioritySpec.parse(spec))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("0..255");
    }

    @Test
    void shouldRefuseAMissingSpec() {
        assertThatThrownBy(() -> PrioritySpec.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PrioritySpec(PrioritySpec.Mode.RANDOM, 3))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldGiveEveryPacketTheFixedPriority() {
        PriorityChooser chooser = PrioritySpec.fixed(9).newChooser(1);

        assertThat(IntStream.range(0, 100).map(i -> chooser.next())).containsOnly(9);
    }

    @Test
    void shouldCycleThroughEveryPriorityInOrder() {
        PriorityChooser chooser = PrioritySpec.cyclic().newChooser(1);

        assertThat(IntStream.range(0, 600).map(i -> chooser.next()).toArray())
            .isEqualTo(IntStream.range(0, 600).map(i -> i % 256).toArray());
    }

    @Test
    void shouldSpreadRandomPrioritiesOverTheWholeByte() {
        PriorityChooser chooser = PrioritySpec.random().newChooser(5);
        int[] counts = new int[256];

        for (int i = 0; i < 256_000; i++) {
            counts[chooser.next()]++;
        }

        assertThat(IntStream.of(counts).min().orElseThrow()).isGreaterThan(700);
        assertThat(IntStream.of(counts).max().orElseThrow()).isLessThan(1_300);
    }

    @Test
    void shouldSkewWeightedPrioritiesToTheUrgentOnes() {
        PriorityChooser chooser = PrioritySpec.weighted().newChooser(11);
        int[] counts = new int[256];
        int n = 200_000;

        for (int i = 0; i < n; i++) {
            counts[chooser.next()]++;
        }

        // P(k) is proportional to 1/(k+1) over 0..7: priority 0 about twice as often as 1, ...
        for (int k = 0; k < 7; k++) {
            assertThat(counts[k]).as("priority %d vs %d", k, k + 1).isGreaterThan(counts[k + 1]);
        }
        double ratio = (double) counts[0] / counts[1];
        assertThat(ratio).isBetween(1.9, 2.1);
        int tail = IntStream.range(8, 256).map(k -> counts[k]).sum();
        assertThat((double) tail / n).isBetween(0.04, 0.06);
        assertThat(counts[255]).isPositive();
    }
}
