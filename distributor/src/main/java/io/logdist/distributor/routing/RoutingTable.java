package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;

/**
 * An immutable snapshot of the analyzer links packets may be routed to now, with their
 * effective weights. A new table is published whenever a link goes up or down or a
 * weight changes; routers pick it up at their next decision.
 *
 * <p>An analyzer has one link per event loop. A router routes over the links on its own
 * loop, with {@code ownWeights}; one with none of its own up routes over every link, with
 * {@code weights}, in which each analyzer's weight is split evenly over its links that
 * are up.
 *
 * @param version    grows by one with every table published
 * @param links      the links that are up, in a stable order
 * @param weights    each link's share of its analyzer's effective weight, same order, all positive
 * @param ownWeights each link's analyzer's effective weight, same order, all positive
 */
public record RoutingTable(long version, AnalyzerLink[] links, double[] weights, double[] ownWeights) {
    public static final RoutingTable EMPTY = new RoutingTable(0, new AnalyzerLink[0], new double[0], new double[0]);

    public boolean isEmpty() {
        return links.length == 0;
    }
}
