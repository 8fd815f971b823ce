/**
 * The emitter: streams packets of log messages to a distributor over LDP/1 and reports
 * what was acknowledged.
 *
 * <p>Public surface: {@link io.logdist.emitter.Emitter} (embeddable, started from an
 * {@link io.logdist.emitter.EmitterConfig}), its {@link io.logdist.emitter.EmitterReport},
 * {@link io.logdist.emitter.PrioritySpec} and the command {@link io.logdist.emitter.EmitterMain}.
 * Everything else is package-private: one {@code EmitterSession} per connection (a state
 * machine confined to its event loop) with its {@code EmitterConnection} handler, its
 * {@code Unacked} ring, {@code RatePacer} and {@code PacketSource}; reconnect delays come from the shared
 * {@code io.logdist.protocol.transport.Backoff}.
 */
package io.logdist.emitter;
