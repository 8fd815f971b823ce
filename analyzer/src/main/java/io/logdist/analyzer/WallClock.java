package io.logdist.analyzer;

import java.time.Instant;

/** Wall-clock time in microseconds since the Unix epoch, for record entries. Any thread. */
final class WallClock {
    private WallClock() {
    }

    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
