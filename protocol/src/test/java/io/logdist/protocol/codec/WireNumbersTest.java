package io.logdist.protocol.codec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The numbers {@link FrameType} and {@link ErrorCode} carry on the wire, pinned against the spec's tables. */
class WireNumbersTest {
    @Test
    void shouldCarryTheFrameTypeNumbersOfTheSpec() {
        assertThat(Arrays.stream(FrameType.values()).filter(t -> t != FrameType.UNKNOWN)
            .collect(Collectors.toMap(FrameType::value, FrameType::name)))
            .containsOnly(
                entry(0x01, "HELLO"), entry(0x02, "WELCOME"), entry(0x03, "PACKET"), entry(0x04, "DELIVER"),
                entry(0x05, "ACK"), entry(0x06, "NACK"), entry(0x07, "PING"), entry(0x08, "PONG"),
                entry(0x09, "ERROR"), entry(0x0A, "GOODBYE"));
    }

    @Test
    void shouldLookUpEveryFrameTypeByItsNumber() {
        for (FrameType t : FrameType.values()) {
            if (t != FrameType.UNKNOWN) {
                assertThat(FrameType.of(t.value())).isSameAs(t);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 0x0B, 0x80, 0xFF, 0x100, Integer.MAX_VALUE, Integer.MIN_VALUE})
    void shouldAnswerUnknownForANumberThatIsNoFrameType(int value) {
        assertThat(FrameType.of(value)).isEqualTo(FrameType.UNKNOWN);
    }

    @Test
    void shouldCarryTheErrorCodeNumbersOfTheSpec() {
        Map<Integer, String> expected = Map.ofEntries(
            entry(1, "MALFORMED_FRAME"), entry(2, "UNSUPPORTED_VERSION"), entry(3, "FRAME_TOO_LARGE"),
            entry(4, "BAD_CHECKSUM"), entry(5, "MALFORMED_PACKET"), entry(6, "UNAUTHORIZED"),
            entry(7, "RATE_LIMITED"), entry(8, "OVERLOADED"), entry(9, "NO_ANALYZERS"),
            entry(10, "PROTOCOL_VIOLATION"), entry(11, "SHUTTING_DOWN"), entry(12, "IDLE_TIMEOUT"));
        for (Map.Entry<Integer, String> e : expected.entrySet()) {
            assertThat(ErrorCode.of(e.getKey()).name()).isEqualTo(e.getValue());
            assertThat(ErrorCode.valueOf(e.getValue()).value()).isEqualTo(e.getKey());
        }
    }

    @Test
    void shouldMarkOnlyTheConditionsThatPassByThemselvesAsTransient() {
        assertThat(Arrays.stream(ErrorCode.values()).filter(ErrorCode::isTransient))
            .containsExactlyInAnyOrder(ErrorCode.RATE_LIMITED, ErrorCode.OVERLOADED, ErrorCode.NO_ANALYZERS, ErrorCode.SHUTTING_DOWN);
    }

    @Test
    void shouldKeepZeroForNoErrorOffTheSpecTable() {
        assertThat(ErrorCode.NONE.value()).isZero();
        assertThat(ErrorCode.of(0)).isEqualTo(ErrorCode.NONE);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 13, 99, 0xFFFF, Integer.MIN_VALUE})
    void shouldAnswerUnknownForANumberThatIsNoErrorCode(int value) {
        assertThat(ErrorCode.of(value)).isEqualTo(ErrorCode.UNKNOWN);
    }
}
