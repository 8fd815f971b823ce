package io.logdist.distributor.testing;

import io.logdist.analyzer.AnalyzerServer;
import io.logdist.emitter.EmitterReport;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The loss check every end-to-end test makes: each (emitterId, sequence) an emitter holds
 * as acknowledged must have reached some analyzer. Pairs are written {@code "id/seq"}.
 */
public final class Loss {
    private Loss() {
    }

    /** Every pair the analyzers received. */
    public static Set<String> receivedBy(Collection<AnalyzerServer> analyzers) {
        Set<String> out = new HashSet<>();
        for (AnalyzerServer a : analyzers) {
            a.snapshot().sequencesByEmitter().forEach((emitter, seqs) -> {
                for (long q : seqs) {
                    out.add(emitter + "/" + q);
                }
            });
        }
        return out;
    }

    /** The acknowledged pairs of {@code reports} (sequences 1..ackedThrough minus refused) not in {@code received}. */
    public static Set<String> lost(List<EmitterReport> reports, Set<String> received) {
        Set<String> lost = new TreeSet<>();
        for (EmitterReport r : reports) {
            r.emitters().forEach((emitter, progress) -> {
                Set<Long> refused = new HashSet<>();
                for (long q : progress.refused()) {
                    refused.add(q);
                }
                for (long q = 1; q <= progress.ackedThrough(); q++) {
                    String key = emitter + "/" + q;
                    if (!refused.contains(q) && !received.contains(key)) {
                        lost.add(key);
                    }
                }
            });
        }
        return lost;
    }
}
