package io.logdist.emitter;

import io.netty.buffer.ByteBuf;

/**
 * Where to cut text that must be shortened: a message cut to fit a frame should not end
 * in the middle of a UTF-8 character, or the analyzer receives an invalid sequence. Bytes
 * that are not UTF-8 are cut where asked.
 *
 * <p>Stateless; any thread.
 */
final class Utf8Boundary {
    private Utf8Boundary() {
    }

    /**
     * The longest length up to {@code length} such that bytes {@code [start, start + length)}
     * of {@code buf} do not end inside a UTF-8 character.
     */
    static int cutLength(ByteBuf buf, int start, int length) {
        int end = start + length;
        int continuation = 0;
        for (int i = end - 1; i >= start && continuation < 4; i--) {
            int b = buf.getByte(i) & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continuation++;
                continue;
            }
            int expected = b < 0x80 ? 1 : b >= 0xF0 && b <= 0xF7 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 0;
            if (expected > continuation + 1) {
                return i - start; // the last character is incomplete: leave it out whole
            }
            return length;
        }
        return length;
    }
}
