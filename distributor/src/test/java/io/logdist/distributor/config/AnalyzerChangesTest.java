package io.logdist.distributor.config;

import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.protocol.cli.HostPort;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class AnalyzerChangesTest {
    private static AnalyzerView view(String name, String address, double weight, String state) {
        return new AnalyzerView(name, address, weight, weight, state, "closed", 0, 0, 0, 0, 0, 0, 0, 1, 1, 1);
    }

    private static AnalyzerSpec spec(String name, int port, double weight) {
        return new AnalyzerSpec(name, new HostPort("127.0.0.1", port), weight);
    }

    @Test
    void shouldMatchAnalyzersByNameAndSayWhatChanges() {
        List<AnalyzerView> running = List.of(
            view("a1", "127.0.0.1:7101", 1, "up"),
            view("a2", "127.0.0.1:7102", 1, "down"),
            view("a3", "127.0.0.1:7103", 2, "draining"),
            view("a4", "127.0.0.1:7104", 1, "up"),
            view("gone", "127.0.0.1:7105", 1, "removed"));
        AnalyzerChanges c = AnalyzerChanges.between(running, List.of(
            spec("a1", 7101, 1), spec("a2", 7102, 0.5), spec("a3", 7113, 2), spec("a5", 7105, 1), spec("gone", 7105, 1)));
        assertThat(c.added()).extracting(AnalyzerSpec::name).containsExactly("a5", "gone");
        assertThat(c.removed()).containsExactly("a4");
        assertThat(c.reweighted()).isEqualTo(Map.of("a2", 0.5));
        assertThat(c.moved()).extracting(AnalyzerSpec::name).containsExactly("a3");
        assertThat(c.isEmpty()).isFalse();
    }

    @Test
    void shouldChangeNothingWhenTheFileSaysWhatRuns() {
        AnalyzerChanges c = AnalyzerChanges.between(List.of(view("a1", "127.0.0.1:7101", 0.4, "up")), List.of(spec("a1", 7101, 0.4)));
        assertThat(c.isEmpty()).isTrue();
    }
}
