package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;

/**
 * An immutable snapshot of the analyzers packets may be routed to now, with their
 * effective weights. A new table is published whenever an analyzer goes up or down or a
 * weight changes; routers pick it up at their next decision.
 *
 * @param version grows by one with every table published
 * @param links   the analyzers that are up, in a stable order
 * @param weights effective weight of each link, same order, all positive
 */
public record RoutingTable(long version, AnalyzerLink[] links, double[] weights) {
    public static final RoutingTable EMPTY = new RoutingTable(0, new AnalyzerLink[0], new double[0]);

    public boolean isEmpty() {
        return links.length == 0;
    }
}
