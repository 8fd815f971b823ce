package io.logdist.protocol.codec;

import io.logdist.protocol.testing.FrameDecoderHarness;
import io.logdist.protocol.testing.FrameModel;
import io.logdist.protocol.testing.Hex;
import io.logdist.protocol.testing.TrackingAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The frame header faults {@link FrameDecoder} must catch, each with its code from the
 * spec's error table, and each as soon as the bytes that show it have arrived: the
 * tests feed only the header bytes and never the body.
 */
class FrameDecoderTest {
    private static final int MAX = 1024;

    private final TrackingAllocator alloc = new TrackingAllocator();
    private final FrameDecoderHarness decoder = new FrameDecoderHarness(alloc, MAX);

    @AfterEach
    void everyBufferIsReleased() {
        decoder.close();
        alloc.assertAllReleased();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void shouldRejectLengthBelowFourWithMalformedFrame(int length) {
        decoder.feed(new byte[] {0, 0, 0, (byte) length});

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void shouldRejectLengthAboveMaxWithFrameTooLargeFromTheLengthFieldAlone() {
        decoder.feed("00 00 04 01"); // 1025, and not one byte of the frame after it

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void shouldRejectLengthAboveTheDefaultMaxOfOneMebibyteWithFrameTooLarge() {
        try (FrameDecoderHarness defaults = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            defaults.feed("00 10 00 01"); // 1,048,577

            assertThat(defaults.error().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        }
    }

    @Test
    void shouldWaitForTheBodyOfAFrameOfExactlyTheDefaultMax() {
        try (FrameDecoderHarness defaults = new FrameDecoderHarness(alloc, FrameDescriptor.DEFAULT_MAX_FRAME_LENGTH)) {
            defaults.feed("00 10 00 00 01 03 00 00"); // 1,048,576: allowed, so wait for the body

            assertThat(defaults.outputs()).isEmpty();
        }
    }

    @Test
    void shouldReadLengthAsUnsignedSoTheLargestU32IsTooLargeNotNegative() {
        decoder.feed("ff ff ff ff");

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void shouldNotOverflowWhenMaxFrameLengthIsTheLargestInt() {
        try (FrameDecoderHarness huge = new FrameDecoderHarness(alloc, Integer.MAX_VALUE)) {
            huge.feed("7f ff ff ff 01 03 00 00 01 02 03");

            assertThat(huge.outputs()).as("waits for the body, which will never fit in memory").isEmpty();
        }
    }

    @Test
    void shouldWaitQuietlyWhileTheLengthFieldIsIncomplete() {
        decoder.feed("00 00 04"); // would be too large, but the fourth byte has not come yet

        assertThat(decoder.outputs()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 2, 0xff})
    void shouldRejectVersionOtherThanOneWithUnsupportedVersionFromTheVersionByte(int version) {
        decoder.feed(new byte[] {0, 0, 0, 12, (byte) version});

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x0b, 0x7f, 0xff})
    void shouldRejectUnknownTypeWithProtocolViolationFromTheTypeByte(int type) {
        decoder.feed(new byte[] {0, 0, 0, 12, 1, (byte) type});

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
    }

    @ParameterizedTest
    @ValueSource(strings = {"00 01", "80 00", "ff ff", "01 00"})
    void shouldRejectAnyFlagBitWithProtocolViolationFromTheFlagBytes(String flags) {
        decoder.feed("00 00 00 0c 01 05 " + flags);

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
    }

    @Test
    void shouldCheckLengthBeforeVersion() {
        decoder.feed("00 00 00 02 07 ff ff ff");

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    }

    @Test
    void shouldCheckVersionBeforeType() {
        decoder.feed("00 00 00 0c 02 ff 00 00");

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void shouldCheckTypeBeforeFlags() {
        decoder.feed("00 00 00 0c 01 ff 00 01");

        FrameError error = decoder.error();
        assertThat(error.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION);
        assertThat(error.reason()).contains("type");
    }

    @Test
    void shouldSayWhatWasWrongInTheReason() {
        decoder.feed("00 00 04 01");

        assertThat(decoder.error().reason()).contains("1025").contains("1024");
    }

    @Test
    void shouldPassUpNothingAfterAFrameErrorNotEvenAGoodFrameInTheSameBuffer() {
        decoder.feed("00 00 00 0c 02 05 00 00 00 00 00 00 00 00 00 01" // version 2
            + "00 00 00 0c 01 05 00 00 00 00 00 00 00 00 00 02"); // a good ACK(2)

        assertThat(decoder.error().code()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
    }

    @Test
    void shouldDiscardEveryByteThatArrivesAfterAFrameError() {
        decoder.feed("00 00 00 01");
        assertThat(decoder.error().code()).isEqualTo(ErrorCode.MALFORMED_FRAME);

        decoder.feed(new FrameModel.Ack(2).toBytes());
        decoder.feed("00 00 00 0c 09 09 00 00"); // another bad frame: no second FrameError either
        decoder.feedOneByteAtATime(new FrameModel.Goodbye().toBytes());

        assertThat(decoder.outputs()).isEmpty();
    }

    @Test
    void shouldPassUpTheGoodFramesBeforeTheBadOne() {
        decoder.feed(Hex.decode("00 00 00 0c 01 07 00 00 00 00 00 00 00 00 00 2a" // PING(42)
            + "00 00 00 0c 01 05 00 80")); // ACK header with flag bit 7

        assertThat(decoder.outputs()).hasSize(2).satisfies(out -> {
            assertThat(out.get(0)).isEqualTo(Hex.normalize("00 00 00 0c 01 07 00 00 00 00 00 00 00 00 00 2a"));
            assertThat(out.get(1)).isInstanceOfSatisfying(FrameError.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PROTOCOL_VIOLATION));
        });
    }

    @Test
    void shouldHandOutTheFrameIncludingItsLengthField() {
        decoder.feed("00 00 00 04 01 0a 00 00");

        assertThat(decoder.outputs()).containsExactly(Hex.normalize("00 00 00 04 01 0a 00 00"));
    }

    @Test
    void shouldRefuseAMaxFrameLengthBelowFour() {
        assertThatThrownBy(() -> new FrameDecoder(3))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("maxFrameLength=3");
        assertThat(new FrameDecoder(4).maxFrameLength()).isEqualTo(4);
    }
}
