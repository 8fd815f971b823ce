package io.logdist.distributor.config;

import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DirectMemoryBudgetTest {
    private static final long MIB = 1 << 20;

    private final DistributorConfig config = DistributorConfig.builder()
        .listen(new HostPort("127.0.0.1", 0))
        .analyzers(List.of(
            new AnalyzerSpec("a", new HostPort("127.0.0.1", 1), 1.0),
            new AnalyzerSpec("b", new HostPort("127.0.0.1", 2), 1.0)))
        .queueBytes(64 * MIB)
        .parkedBytesLimit(128 * MIB)
        .build();

    @Test
    void shouldAddTheQueuesOfEveryAnalyzerAndThePartsParkedOnEveryLoop() {
        DirectMemoryBudget budget = DirectMemoryBudget.of(config, 2, 1024 * MIB);

        assertThat(budget.totalBytes()).isEqualTo((2 * 64 + 2 * 128) * MIB);
        assertThat(budget.warning()).isEmpty();
    }

    @Test
    void shouldWarnWithWhatToChangeWhenTheLimitsExceedTheCap() {
        DirectMemoryBudget budget = DirectMemoryBudget.of(config, 2, 256 * MIB);

        assertThat(budget.warning()).hasValueSatisfying(w -> assertThat(w)
            .contains("384 MiB", "capped at 256 MiB", "-XX:MaxDirectMemorySize", "--queue-bytes", "--parked-bytes"));
    }

    @Test
    void shouldNotWarnWhenTheCapIsUnknown() {
        assertThat(DirectMemoryBudget.of(config, 2, -1).warning()).isEmpty();
    }
}
