package io.logdist.distributor.config;

import io.logdist.distributor.admin.AnalyzerView;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What it takes to turn the running analyzers into the ones a configuration lists,
 * matched by name: analyzers to add, to remove (drain, then remove), to reweight in place,
 * and to move (a new address: removed, then added again once drained).
 *
 * <p>Immutable; a pure function of its inputs.
 *
 * @param added      listed, not running
 * @param removed    running, not listed
 * @param reweighted running and listed with another weight: name → new weight
 * @param moved      running and listed with another address (the new spec)
 */
record AnalyzerChanges(List<AnalyzerSpec> added, List<String> removed, Map<String, Double> reweighted, List<AnalyzerSpec> moved) {
    AnalyzerChanges {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        reweighted = Map.copyOf(reweighted);
        moved = List.copyOf(moved);
    }

    static AnalyzerChanges between(List<AnalyzerView> running, List<AnalyzerSpec> wanted) {
        Map<String, AnalyzerView> byName = new LinkedHashMap<>();
        for (AnalyzerView v : running) {
            if (v.present()) {
                byName.put(v.name(), v);
            }
        }
        List<AnalyzerSpec> added = new ArrayList<>();
        Map<String, Double> reweighted = new LinkedHashMap<>();
        List<AnalyzerSpec> moved = new ArrayList<>();
        for (AnalyzerSpec spec : wanted) {
            AnalyzerView v = byName.remove(spec.name());
            if (v == null) {
                added.add(spec);
            } else if (!v.address().equals(spec.address().toString())) {
                moved.add(spec);
            } else if (Double.compare(v.weight(), spec.weight()) != 0) {
                reweighted.put(spec.name(), spec.weight());
            }
        }
        return new AnalyzerChanges(added, new ArrayList<>(byName.keySet()), reweighted, moved);
    }

    boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && reweighted.isEmpty() && moved.isEmpty();
    }
}
