package io.logdist.protocol.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationConverterTest {
    @Test
    void shouldParseMilliseconds() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void shouldParseSeconds() {
        assertThat(DurationConverter.parse("15s")).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void shouldParseMinutes() {
        assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void shouldParseHours() {
        assertThat(DurationConverter.parse("1h")).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void shouldParseMicroseconds() {
        assertThat(DurationConverter.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
    }

    @Test
    void shouldParseABareZeroAsZero() {
        assertThat(DurationConverter.parse("0")).isEqualTo(Duration.ZERO);
        assertThat(DurationConverter.parse("0s")).isEqualTo(Duration.ZERO);
    }

    @Test
    void shouldParseAFractionOfAUnit() {
        assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void shouldIgnoreSurroundingSpaceAndSpaceBeforeTheUnit() {
        assertThat(DurationConverter.parse(" 15 s ")).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void shouldConvertForPicocliLikeParse() {
        assertThat(new DurationConverter().convert("5s")).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {"15", "fast", "-5s", "15 seconds", "1d", "ms", "", "1.s", "15S"})
    void shouldRejectBadInputSayingWhatIsAccepted(String value) {
        assertThatThrownBy(() -> DurationConverter.parse(value))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("'" + value + "' is not a duration; write a number and a unit, e.g. 500ms, 15s, 2m");
    }

    @ParameterizedTest
    @ValueSource(strings = {"3000000h", "100001h", "0.0001us"})
    void shouldRefuseWhatItCouldOnlyRoundToSomethingElse(String value) {
        assertThatThrownBy(() -> DurationConverter.parse(value)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("'" + value + "'");
    }

    @Test
    void shouldTakeTheLongestDurationAllowed() {
        assertThat(DurationConverter.parse("100000h")).isEqualTo(Duration.ofHours(100_000));
    }
}
