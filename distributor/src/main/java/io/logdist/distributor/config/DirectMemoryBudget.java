package io.logdist.distributor.config;

import java.util.Optional;

/**
 * What the configured limits let the distributor hold in direct memory (packet bytes
 * queued for analyzers and parked for want of one), against the JVM's cap on direct
 * memory. Above the cap, a distributor with its analyzers stalled would fail allocations
 * ({@code OutOfDirectMemoryError}) before its own limits push back, so it says so at start.
 *
 * @param queueBytes  {@code --queue-bytes} times the analyzers configured
 * @param parkedBytes {@code --parked-bytes} times the event loops
 * @param capBytes    the JVM's direct memory cap ({@code -XX:MaxDirectMemorySize}, by default {@code -Xmx})
 */
public record DirectMemoryBudget(long queueBytes, long parkedBytes, long capBytes) {

    public static DirectMemoryBudget of(DistributorConfig config, int eventLoops, long capBytes) {
        return new DirectMemoryBudget(config.queueBytes() * config.analyzers().size(),
            config.parkedBytesLimit() * eventLoops, capBytes);
    }

    public long totalBytes() {
        return queueBytes + parkedBytes;
    }

    /** A warning that says what to change, when the limits add up to more than the cap. */
    public Optional<String> warning() {
        if (capBytes <= 0 || totalBytes() <= capBytes) {
            return Optional.empty();
        }
        return Optional.of(String.format(
            "queue limits add up to %d MiB of packet bytes (--queue-bytes x %d MiB for the analyzers, --parked-bytes x %d MiB"
                + " for the event loops) but direct memory is capped at %d MiB: raise -XX:MaxDirectMemorySize"
                + " (in LOGDIST_JAVA_OPTS) or lower those limits, or a distributor whose analyzers stall can fail"
                + " allocations before its limits push back",
            mib(totalBytes()), mib(queueBytes), mib(parkedBytes), mib(capBytes)));
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
