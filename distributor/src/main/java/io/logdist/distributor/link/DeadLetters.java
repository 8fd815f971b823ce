package io.logdist.distributor.link;

import io.logdist.distributor.queue.Packet;

/**
 * Where a packet goes when it has been rerouted more than {@code --max-retries} times.
 */
public interface DeadLetters {
    /**
     * Writes the packet durably.
     *
     * @return true when written (the packet is then safe and may be ACKed); false when
     *         there is nowhere to write it (the caller keeps rerouting it)
     */
    boolean write(Packet p, String reason);

    /** Packets written so far. */
    long count();

    /** No dead-letter file: packets keep being rerouted, never dropped. */
    DeadLetters NONE = new DeadLetters() {
        @Override
        public boolean write(Packet p, String reason) {
            return false;
        }

        @Override
        public long count() {
            return 0;
        }
    };
}
