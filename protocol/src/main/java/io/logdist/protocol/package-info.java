/**
 * LDP/1, the wire contract between emitters, the distributor and analyzers
 * ({@code docs/protocol.md}): frame codec ({@code codec}), packet flyweights
 * ({@code packet}), the Netty transport choice ({@code transport}) and the command-line
 * types every program shares ({@code cli}).
 */
package io.logdist.protocol;
