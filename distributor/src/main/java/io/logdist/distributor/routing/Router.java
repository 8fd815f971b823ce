package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One event loop's routing decisions: a {@link WeightedTree} over the analyzers of the
 * current {@link RoutingTable}.
 *
 * <p>Each loop owns one router, so the hot path has no lock, no CAS and no shared counter:
 * the only shared read is the volatile table reference. When the table changes, the tree
 * is rebuilt keeping each surviving analyzer's pass relative to the minimum, and new
 * analyzers start at the minimum, so nobody gets a burst to "catch up" and the others
 * keep their ratios to each other. Every loop's router is exact for its own traffic, so
 * the sum over loops is exact too.
 *
 * <p>Thread: confined to its event loop.
 */
public final class Router {
    private final Supplier<RoutingTable> tables;
    private RoutingTable table = RoutingTable.EMPTY;
    private WeightedTree tree;

    public Router(Supplier<RoutingTable> tables) {
        this.tables = tables;
    }

    /**
     * Chooses the analyzer for a packet of {@code messages} messages and charges it.
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
        return table.links()[tree.pick(messages)];
    }

    private void rebuild(RoutingTable latest) {
        Map<AnalyzerLink, Double> previous = new IdentityHashMap<>();
        if (tree != null) {
            for (int i = 0; i < table.links().length; i++) {
                previous.put(table.links()[i], tree.relativePass(i));
            }
        }
        table = latest;
        if (latest.isEmpty()) {
            tree = null;
            return;
        }
        double[] passes = new double[latest.links().length];
        for (int i = 0; i < passes.length; i++) {
            Double p = previous.get(latest.links()[i]);
            passes[i] = p == null ? 0 : p;
        }
        tree = new WeightedTree(latest.weights(), passes);
    }
}
