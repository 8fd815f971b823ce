package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;
import io.logdist.distributor.link.AnalyzerLinks;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Publishes the current {@link RoutingTable}: every analyzer link known (the distributor's
 * one list of them, {@link #links()}: one per analyzer and event loop), and of those the ones that are up. Links call {@link #publish()} when they go up or down; routers read
 * {@link #current()} (one volatile read) at each decision.
 *
 * <p>Thread-safe. Publishing is control-plane work (a link changing state), never per
 * packet, so it may take a lock.
 */
public final class RoutingTables implements Supplier<RoutingTable> {
    private final List<AnalyzerLink> links = new CopyOnWriteArrayList<>();
    private final Object publishLock = new Object();
    private volatile RoutingTable current = RoutingTable.EMPTY;

    public void add(AnalyzerLink link) {
        links.add(link);
    }

    /** Unlists {@code link} and publishes the table without it; false when it was not listed. */
    public boolean remove(AnalyzerLink link) {
        if (!links.remove(link)) {
            return false;
        }
        publish();
        return true;
    }

    public List<AnalyzerLink> links() {
        return links;
    }

    public RoutingTable current() {
        return current;
    }

    @Override
    public RoutingTable get() {
        return current;
    }

    /** Builds and publishes a new table from the links that are up now. Any thread. */
    public void publish() {
        synchronized (publishLock) {
            List<AnalyzerLink> up = new ArrayList<>();
            Map<AnalyzerLinks, Integer> linksUp = new IdentityHashMap<>();
            for (AnalyzerLink l : links) {
                if (l.isRoutable()) {
                    up.add(l);
                    linksUp.merge(l.analyzer(), 1, Integer::sum);
                }
            }
            double[] weights = new double[up.size()];
            double[] ownWeights = new double[up.size()];
            for (int i = 0; i < weights.length; i++) {
                AnalyzerLink l = up.get(i);
                ownWeights[i] = l.effectiveWeight();
                weights[i] = ownWeights[i] / linksUp.get(l.analyzer());
            }
            current = new RoutingTable(current.version() + 1, up.toArray(new AnalyzerLink[0]), weights, ownWeights);
        }
    }
}
