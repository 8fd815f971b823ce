package io.logdist.distributor.admin;

/**
 * One connected emitter as the admin API shows it.
 *
 * @param windowInUse sequences sent and not yet ACKed (above the ledger's cursor)
 */
public record EmitterView(String address, long emitterId, String name, long packetsIn, long messagesIn, int windowInUse, int window) {
}
