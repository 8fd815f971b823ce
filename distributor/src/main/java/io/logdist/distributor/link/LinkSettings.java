package io.logdist.distributor.link;

/**
 * What every analyzer link shares: this distributor's identity in HELLO, the window it
 * asks for, and reconnect timing.
 */
public record LinkSettings(long instanceId, String name, int linkWindow, int maxFrameLength, long reconnectBaseMs, long reconnectMaxMs) {
}
