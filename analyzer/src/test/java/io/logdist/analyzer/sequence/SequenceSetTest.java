package io.logdist.analyzer.sequence;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceSetTest {
    @Property
    void shouldBehaveLikeASortedSetOfUnsignedLongs(@ForAll("sequences") List<Long> adds, @ForAll("sequences") List<Long> probes) {
        SequenceSet set = new SequenceSet();
        TreeSet<Long> model = new TreeSet<>(Long::compareUnsigned);

        for (long s : adds) {
            assertThat(set.add(s)).isEqualTo(model.add(s));
        }

        assertThat(set.size()).isEqualTo(model.size());
        assertThat(set.toSortedArray()).containsExactly(model.stream().mapToLong(Long::longValue).toArray());
        for (long s : probes) {
            assertThat(set.contains(s)).isEqualTo(model.contains(s));
        }
    }

    @Provide
    Arbitrary<List<Long>> sequences() {
        Arbitrary<Long> dense = Arbitraries.longs().between(0, 20_000);
        Arbitrary<Long> anywhere = Arbitraries.longs();
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, dense),
                net.jqwik.api.Tuple.of(1, anywhere),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 4095L, 4096L)))
            .list().ofMaxSize(300);
    }

    @Example
    void shouldHoldAMillionDenseSequencesInLittleMemory() {
        SequenceSet set = new SequenceSet();
        for (long s = 1; s <= 1_000_000; s += 2) {
            set.add(s);
        }

        assertThat(set.size()).isEqualTo(500_000);
        assertThat(set.contains(999_999)).isTrue();
        assertThat(set.contains(1_000_000)).isFalse();
    }
}
