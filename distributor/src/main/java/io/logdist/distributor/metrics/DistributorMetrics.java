package io.logdist.distributor.metrics;

import io.logdist.distributor.Distributor;
import io.logdist.distributor.admin.AnalyzerView;
import io.logdist.distributor.ingest.IngestStats;
import io.logdist.protocol.codec.ErrorCode;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The distributor's metrics in the Prometheus text format ({@code GET /metrics}), built with
 * the Prometheus Java client: a registry of callback metrics that read the distributor's
 * own counters at scrape time (nothing is counted twice, nothing on the data path) and
 * {@link PrometheusTextFormatWriter}.
 *
 * <pre>
 * logdist_packets_in_total, logdist_messages_in_total, logdist_bytes_in_total   from emitters
 * logdist_duplicates_in_total                                                   duplicate PACKETs (ACKed again, not delivered)
 * logdist_emitter_connections                                                   connected emitters
 * logdist_nacks_total{code}                                                     NACKs sent to emitters, by error code
 * logdist_reroutes_total, logdist_dead_letters_total
 * logdist_packets_out_total{analyzer}, _messages_out_total, _bytes_out_total   delivered and ACKed by the analyzer
 * logdist_analyzer_reroutes_total{analyzer}, logdist_analyzer_connects_total{analyzer}
 * logdist_queue_packets{analyzer}, logdist_queue_bytes{analyzer}, logdist_unacked_deliveries{analyzer}
 * logdist_analyzer_weight{analyzer}, logdist_analyzer_effective_weight{analyzer}
 * logdist_link_state{analyzer,state}      1 for the current state, 0 for the others
 * logdist_circuit_state{analyzer,state}   1 for the current state, 0 for the others
 * logdist_ack_latency_seconds             histogram ({@link AckLatencyCollector})
 * logdist_analyzer_round_trip_seconds{analyzer}  histogram ({@link AnalyzerRoundTripCollector})
 * logdist_share_deviation_max{window}     largest |actual share − weight share|, window 10s or start
 * </pre>
 *
 * <p>Thread: {@link #scrape()} is called from one thread at a time (the admin thread); it
 * takes one snapshot of the analyzers and every per-analyzer metric reads from it.
 */
public final class DistributorMetrics {
    /** The states of {@code logdist_link_state}. */
    static final List<String> LINK_STATES = List.of("up", "slow-start", "paused", "draining", "down", "stalled", "ejected");
    /** The states of {@code logdist_circuit_state}. */
    static final List<String> CIRCUIT_STATES = List.of("closed", "open", "half-open");

    private final Distributor distributor;
    private final Function<List<AnalyzerView>, ShareDeviations> deviations;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private List<AnalyzerView> analyzers = List.of();

    /**
     * @param deviations computes the share deviations from an analyzer snapshot (the admin
     *                   layer owns the traffic history they need)
     */
    public DistributorMetrics(Distributor distributor, Function<List<AnalyzerView>, ShareDeviations> deviations) {
        this.distributor = distributor;
        this.deviations = deviations;
        registerIngest();
        registerAnalyzers();
        registry.register(new AckLatencyCollector(distributor::ackLatencySnapshot));
        registry.register(new AnalyzerRoundTripCollector(distributor::analyzerRoundTripSnapshot));
    }

    /** The content type of {@link #scrape()}'s bytes. */
    public String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    /** Every metric, now, in the Prometheus text format (0.0.4). */
    public byte[] scrape() {
        analyzers = distributor.analyzers().stream().filter(AnalyzerView::present).toList();
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void registerIngest() {
        IngestStats in = distributor.ingestStats();
        counter("logdist_packets_in", "PACKETs accepted from emitters.", () -> in.packetsIn.sum());
        counter("logdist_messages_in", "Messages in the PACKETs accepted from emitters.", () -> in.messagesIn.sum());
        counter("logdist_bytes_in", "Bytes of the PACKETs accepted from emitters.", () -> in.bytesIn.sum());
        counter("logdist_duplicates_in", "Duplicate PACKETs from emitters (ACKed again, not delivered).", () -> in.duplicates.sum());
        GaugeWithCallback.builder().name("logdist_emitter_connections").help("Emitter connections open now.")
            .callback(cb -> cb.call(in.connections.get())).register(registry);
        CounterWithCallback.builder().name("logdist_nacks").help("NACKs sent to emitters, by error code.")
            .labelNames("code")
            .callback(cb -> {
                for (ErrorCode code : ErrorCode.values()) {
                    if (code != ErrorCode.NONE && code != ErrorCode.UNKNOWN) {
                        cb.call(distributor.nacks(code), code.name().toLowerCase(Locale.ROOT));
                    }
                }
            }).register(registry);
        counter("logdist_reroutes", "Packets routed again after their analyzer failed, refused or drained them.", distributor::reroutes);
        counter("logdist_dead_letters", "Packets written to the dead-letter file after too many reroutes.", distributor::deadLetters);
        GaugeWithCallback.builder().name("logdist_share_deviation_max")
            .help("Largest |actual share - weight share| over the analyzers: window=10s against effective weights, "
                + "window=start against configured weights.")
            .labelNames("window")
            .callback(cb -> {
                ShareDeviations d = deviations.apply(analyzers);
                cb.call(d.last10s(), "10s");
                cb.call(d.sinceStart(), "start");
            }).register(registry);
    }

    private void registerAnalyzers() {
        perAnalyzerCounter("logdist_packets_out", "PACKETs delivered to and ACKed by the analyzer.", AnalyzerView::packetsDelivered);
        perAnalyzerCounter("logdist_messages_out", "Messages delivered to and ACKed by the analyzer.", AnalyzerView::messagesDelivered);
        perAnalyzerCounter("logdist_bytes_out", "Bytes delivered to and ACKed by the analyzer.", AnalyzerView::bytesDelivered);
        perAnalyzerCounter("logdist_analyzer_reroutes", "Packets the analyzer held and handed back for rerouting.", AnalyzerView::reroutes);
        perAnalyzerCounter("logdist_analyzer_connects", "Connections made to the analyzer.", AnalyzerView::connects);
        perAnalyzerGauge("logdist_queue_packets", "Packets queued for the analyzer, not yet delivered.", AnalyzerView::queuedPackets);
        perAnalyzerGauge("logdist_queue_bytes", "Bytes queued for the analyzer, not yet delivered.", AnalyzerView::queuedBytes);
        perAnalyzerGauge("logdist_analyzer_connections_up", "Connections to the analyzer (one per event loop) that take packets.",
            AnalyzerView::connectionsUp);
        perAnalyzerGauge("logdist_unacked_deliveries", "DELIVERs written to the analyzer and not yet ACKed.", AnalyzerView::unacked);
        perAnalyzerGauge("logdist_analyzer_weight", "The analyzer's configured weight.", AnalyzerView::weight);
        perAnalyzerGauge("logdist_analyzer_effective_weight", "The weight routing uses now (0 when down, ramping in slow start).",
            AnalyzerView::effectiveWeight);
        stateSet("logdist_link_state", "The analyzer link's state: 1 for the current one.", LINK_STATES, AnalyzerView::state);
        stateSet("logdist_circuit_state", "The analyzer's circuit breaker: 1 for the current state.", CIRCUIT_STATES, AnalyzerView::circuit);
    }

    private void counter(String name, String help, java.util.function.LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    private void perAnalyzerCounter(String name, String help, ToDoubleFunction<AnalyzerView> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames("analyzer")
            .callback(cb -> analyzers.forEach(v -> cb.call(value.applyAsDouble(v), v.name()))).register(registry);
    }

    private void perAnalyzerGauge(String name, String help, ToDoubleFunction<AnalyzerView> value) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("analyzer")
            .callback(cb -> analyzers.forEach(v -> cb.call(value.applyAsDouble(v), v.name()))).register(registry);
    }

    private void stateSet(String name, String help, List<String> states, Function<AnalyzerView, String> state) {
        GaugeWithCallback.builder().name(name).help(help).labelNames("analyzer", "state")
            .callback(cb -> analyzers.forEach(v -> {
                String current = state.apply(v);
                for (String s : states) {
                    cb.call(s.equals(current) ? 1 : 0, v.name(), s);
                }
            })).register(registry);
    }
}
