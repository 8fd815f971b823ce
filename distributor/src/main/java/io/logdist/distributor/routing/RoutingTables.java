package io.logdist.distributor.routing;

import io.logdist.distributor.link.AnalyzerLink;

import java.util.ArrayList;
import java.util.List;
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
            for (AnalyzerLink l : links) {
                if (l.isRoutable()) {
                    up.add(l);
                }
            }
            current = RoutingTable.of(current.version() + 1, up);
        }
    }
}
