package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.link.AnalyzerLinks;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

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

    /** The table of the links in {@code up}, with their effective weights now. */
    public static RoutingTable of(long version, List<AnalyzerLink> up) {
        Map<AnalyzerLinks, Integer> linksUp = new IdentityHashMap<>();
        for (AnalyzerLink l : up) {
            linksUp.merge(l.analyzer(), 1, Integer::sum);
        }
        double[] weights = new double[up.size()];
        double[] ownWeights = new double[up.size()];
        for (int i = 0; i < weights.length; i++) {
            AnalyzerLink l = up.get(i);
            ownWeights[i] = l.effectiveWeight();
            weights[i] = ownWeights[i] / linksUp.get(l.analyzer());
        }
        return new RoutingTable(version, up.toArray(new AnalyzerLink[0]), weights, ownWeights);
    }

    public boolean isEmpty() {
        return links.length == 0;
    }
}
