package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.loop.LoopContext;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One event loop's routing decisions: a {@link WeightedTree} over the analyzer links of
 * the current {@link RoutingTable}.
 *
 * <p>Each loop owns one router, so the hot path has no lock, no CAS and no shared counter:
 * the only shared read is the volatile table reference. When the table changes, the tree
 * is rebuilt keeping each surviving link's pass relative to the minimum, and new links
 * start at the minimum, so nobody gets a burst to "catch up" and the others keep their
 * ratios to each other. Every loop's router is exact for its own traffic, so the sum over
 * loops is exact too.
 *
 * <p>Every analyzer has a link on every loop (or on the same first N, with
 * {@code analyzerConnections}), and the router picks among this loop's own links that are
 * up: the packet stays on the thread that read it, from the emitter's socket to the
 * analyzer's and back. A link that is down takes its analyzer out of this
 * loop's choices only, as a whole analyzer that is down leaves every loop's: links of one
 * analyzer fail and come back together, and a stalled or flapping analyzer must not keep
 * receiving through another loop's link while its own is out. Only when none of this
 * loop's links is up does it pick among every link, each analyzer's weight split over its
 * links, so that no packet waits for a link on its own loop while another loop has one.
 *
 * <p>Thread: confined to its event loop.
 */
public final class Router {
    private final Supplier<RoutingTable> tables;
    /** The loop this router decides for; its links are the ones preferred. */
    private final LoopContext ownLoop;
    private RoutingTable table = RoutingTable.EMPTY;
    private AnalyzerLink[] choices = new AnalyzerLink[0];
    private WeightedTree tree;

    /** @param ownLoop the loop this router decides for */
    public Router(Supplier<RoutingTable> tables, LoopContext ownLoop) {
        this.tables = tables;
        this.ownLoop = ownLoop;
    }

    /**
     * Chooses the analyzer link for a packet of {@code messages} messages and charges it.
     *
     * @return the link, or {@code null} when no analyzer is up
     */
    public AnalyzerLink route(int messages) {
        RoutingTable latest = tables.get();
        if (latest != table) {
            rebuild(latest);
        }
        if (tree == null) {
            return null;
        }
        return choices[tree.pick(messages)];
    }

    private void rebuild(RoutingTable latest) {
        // Each link keeps its lead over the least advanced, in messages: a weight raised from
        // slow start's 1 % must not keep a lead that was counted at 1 %.
        Map<AnalyzerLink, Double> previous = new IdentityHashMap<>();
        if (tree != null) {
            for (int i = 0; i < choices.length; i++) {
                previous.put(choices[i], tree.lead(i));
            }
        }
        table = latest;
        if (latest.isEmpty()) {
            choices = new AnalyzerLink[0];
            tree = null;
            return;
        }
        AnalyzerLink[] links = latest.links();
        int own = 0;
        for (AnalyzerLink l : links) {
            if (l.loop() == ownLoop) {
                own++;
            }
        }
        double[] weights;
        if (own > 0) {
            choices = new AnalyzerLink[own];
            weights = new double[own];
            for (int i = 0, j = 0; i < links.length; i++) {
                if (links[i].loop() == ownLoop) {
                    choices[j] = links[i];
                    weights[j++] = latest.ownWeights()[i];
                }
            }
        } else {
            choices = links;
            weights = latest.weights();
        }
        double[] leads = new double[choices.length];
        for (int i = 0; i < leads.length; i++) {
            Double ahead = previous.get(choices[i]);
            leads[i] = ahead == null ? 0 : ahead;
        }
        tree = new WeightedTree(weights, leads);
    }
}
