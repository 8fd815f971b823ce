package io.logdist.analyzer.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.logdist.analyzer.record.RecordAppender;
import io.logdist.protocol.cli.CommandLines;
import io.logdist.protocol.deadletter.DeadLetterWriter;
import io.logdist.protocol.testing.PacketModel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AuditTest {
    /** Start of the first 100 ms bucket of the runs below, in epoch microseconds. */
    private static final long T0 = 1_700_000_000_000_000L;
    private static final long BUCKET = 100_000;
    /** When a second run of the same emitterId began: an hour after the first. */
    private static final long RUN_TWO = T0 + 3_600_000_000L;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Path emitterReport(String emittersJson) throws IOException {
        return emitterReport(emittersJson, "");
    }

    /** A report of a run that began at {@code startedAtMicros}. */
    private Path emitterReport(String emittersJson, long startedAtMicros) throws IOException {
        return emitterReport(emittersJson, "\"started_at_micros\": " + startedAtMicros + ",");
    }

    private Path emitterReport(String emittersJson, String extra) throws IOException {
        Path file = dir.resolve("emitter-" + System.nanoTime() + ".json");
        Files.writeString(file, """
            {"packets_sent": 99, "packets_acked": 9, "packets_nacked": 1, "messages_acked": 90, "bytes_acked": 900,
             "seconds": 1.5, "msgs_per_s": 60.0, "mb_per_s": 0.1,
             "latency_us": {"p50": 10, "p99": 20, "p999": 30, "max": 40},
             "some_future_key": [1, 2], %s
             "emitters": %s}
            """.formatted(extra, emittersJson));
        return file;
    }

    /** Writes records {emitterId, sequence, count, receivedAtMicros}. */
    private Path records(String name, long[]... entries) throws IOException {
        Path file = dir.resolve(name + ".rec");
        try (RecordAppender appender = RecordAppender.open(file)) {
            for (long[] e : entries) {
                appender.append(e[0], e[1], e[2], e[3]);
            }
        }
        return file;
    }

    private int run(String... args) {
        CommandLine cl = CommandLines.create(new AuditMain());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void shouldFindNothingLostAndCountDuplicatesWhenEveryAckedPacketWasRecorded() throws Exception {
        // Emitter 1 acked 1..5 but 4 was refused (resent as 5); emitter 2 acked 1..2.
        Path report = emitterReport("""
            {"1": {"acked_through": 5, "refused": [4]}, "2": {"acked_through": 2, "refused": []}}""");
        Path a1 = records("a1",
            new long[] {1, 1, 10, T0}, new long[] {1, 2, 10, T0 + 1}, new long[] {1, 3, 10, T0 + 2}, new long[] {2, 1, 10, T0 + 3});
        Path a2 = records("a2",
            new long[] {1, 5, 10, T0 + 4}, new long[] {2, 2, 10, T0 + 5},
            new long[] {1, 1, 10, T0 + 6}, // a redelivery after a lost ACK
            new long[] {3, 1, 10, T0 + 7}); // an emitter that stopped before it wrote a report

        AuditResult r = Audit.run(List.of(report), List.of(
            new AnalyzerSpec("a1", 1, a1), new AnalyzerSpec("a2", 1, a2)), Duration.ofMillis(100));

        assertThat(r.acked()).isEqualTo(6);
        assertThat(r.lost()).isZero();
        assertThat(r.records()).isEqualTo(8);
        assertThat(r.received()).isEqualTo(7);
        assertThat(r.duplicates()).isEqualTo(1);
        assertThat(r.receivedNotAcked()).isEqualTo(1);
        assertThat(r.analyzers()).extracting(AuditResult.AnalyzerShare::messages).containsExactly(40L, 40L);
        assertThat(r.analyzers()).allSatisfy(a -> {
            assertThat(a.expectedShare()).isCloseTo(0.5, within(1e-9));
            assertThat(a.actualShare()).isCloseTo(0.5, within(1e-9));
        });
        assertThat(r.maxDeviationPoints()).isCloseTo(0, within(1e-9));
    }

    @Test
    void shouldExpectWeightSharesWhenEveryAnalyzerIsUpThroughout() throws Exception {
        Path report = emitterReport("{\"1\": {\"acked_through\": 4}}");
        Path a1 = records("a1", new long[] {1, 1, 30, T0}, new long[] {1, 3, 33, T0 + BUCKET});
        Path a2 = records("a2", new long[] {1, 2, 10, T0 + 5}, new long[] {1, 4, 7, T0 + BUCKET + 5});

        AuditResult r = Audit.run(List.of(report), List.of(
            new AnalyzerSpec("a1", 3, a1), new AnalyzerSpec("a2", 1, a2)), Duration.ofMillis(100));

        assertThat(r.analyzers()).extracting(AuditResult.AnalyzerShare::weightShare).containsExactly(0.75, 0.25);
        assertThat(r.analyzers().get(0).expectedShare()).isCloseTo(0.75, within(1e-9));
        assertThat(r.analyzers().get(0).actualShare()).isCloseTo(63.0 / 80, within(1e-9));
        assertThat(r.maxDeviationPoints()).isCloseTo(3.75, within(1e-9));
    }

    @Test
    void shouldExpectLessFromAnAnalyzerThatWasDownForSomeBuckets() throws Exception {
        Path report = emitterReport("{\"1\": {\"acked_through\": 4}}");
        // Bucket 0: both up, 40 messages split 3:1. Buckets 1 and 2: a2 is down, a1 takes all 40.
        Path a1 = records("a1",
            new long[] {1, 1, 30, T0 + 10}, new long[] {1, 3, 20, T0 + BUCKET + 10}, new long[] {1, 4, 20, T0 + 2 * BUCKET + 10});
        Path a2 = records("a2", new long[] {1, 2, 10, T0 + 20});

        AuditResult r = Audit.run(List.of(report), List.of(
            new AnalyzerSpec("a1", 3, a1), new AnalyzerSpec("a2", 1, a2)), Duration.ofMillis(100));

        AuditResult.AnalyzerShare first = r.analyzers().get(0);
        AuditResult.AnalyzerShare second = r.analyzers().get(1);
        assertThat(second.weightShare()).isEqualTo(0.25);
        // a2 earns a quarter of bucket 0 only: 10 of 80 messages.
        assertThat(second.expectedShare()).isCloseTo(10.0 / 80, within(1e-9));
        assertThat(first.expectedShare()).isCloseTo(70.0 / 80, within(1e-9));
        assertThat(second.actualShare()).isCloseTo(10.0 / 80, within(1e-9));
        assertThat(r.maxDeviationPoints()).isCloseTo(0, within(1e-9));
        assertThat(r.buckets()).isEqualTo(3);
        assertThat(r.lost()).isZero();
    }

    @Test
    void shouldOweAReturningAnalyzerARampingWeightUnderSlowStart() throws Exception {
        Path report = emitterReport("{\"1\": {\"acked_through\": 0}}");
        // a1 is up throughout; a2 is there at the start, gone for 10 buckets, then back from bucket 20.
        // Each bucket carries 100 messages between them.
        java.util.List<long[]> r1 = new java.util.ArrayList<>();
        java.util.List<long[]> r2 = new java.util.ArrayList<>();
        long seq = 1;
        for (int b = 0; b < 40; b++) {
            boolean a2Up = b < 10 || b >= 20;
            r1.add(new long[] {1, seq++, a2Up ? 50 : 100, T0 + b * BUCKET + 10});
            if (a2Up) {
                r2.add(new long[] {1, seq++, 50, T0 + b * BUCKET + 20});
            }
        }
        Path a1 = records("a1", r1.toArray(new long[0][]));
        Path a2 = records("a2", r2.toArray(new long[0][]));
        List<AnalyzerSpec> specs = List.of(new AnalyzerSpec("a1", 1, a1), new AnalyzerSpec("a2", 1, a2));

        double without = Audit.run(List.of(report), specs, List.of(), Duration.ofMillis(100)).analyzers().get(1).expectedShare();
        double with = Audit.run(List.of(report), specs, List.of(), Duration.ofMillis(100), Duration.ofSeconds(1)).analyzers().get(1).expectedShare();
        // Without slow start a2 is owed half of its 30 up buckets: 1500 of 4000 messages.
        assertThat(without).isCloseTo(1500.0 / 4000, within(1e-9));
        // With a 1 s ramp (10 buckets) it is owed less in buckets 20..29, and nothing less at the start.
        double owedInRamp = 0;
        for (int k = 0; k < 10; k++) {
            double f = Math.max(0.01, (k + 0.5) / 10);
            owedInRamp += 100 * f / (1 + f);
        }
        assertThat(with).isCloseTo((500 + owedInRamp + 500) / 4000, within(1e-9));
    }

    @Test
    void shouldExitZeroAndPrintTheTableWhenNothingWasLost() throws Exception {
        Path report = emitterReport("{\"7\": {\"acked_through\": 2, \"refused\": []}}");
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1});

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=2:" + a1);

        assertThat(code).isZero();
        assertThat(out.toString())
            .contains("analyzer", "weight", "expected", "actual", "messages")
            .containsPattern("a1\\s+2\\.000\\s+100\\.00%\\s+100\\.00%\\s+100\\.00%\\s+8")
            .contains("acked: 2  lost: 0  duplicates: 0")
            .contains("max deviation from expected share: 0.00 points");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void shouldExitOneAndNameTheLostPacketWhenAnAckedPacketIsInNoRecordFile() throws Exception {
        Path report = emitterReport("{\"7\": {\"acked_through\": 3, \"refused\": []}}");
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1});
        Path a2 = records("a2");
        Path json = dir.resolve("audit.json");

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1, "--analyzer", "a2=1:" + a2,
            "--bucket", "50ms", "--json", json.toString());

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("lost: emitter 7 sequence 3").contains("acked: 3  lost: 1  duplicates: 0");
        JsonNode result = new ObjectMapper().readTree(json.toFile());
        assertThat(result.get("acked").asLong()).isEqualTo(3);
        assertThat(result.get("lost").asLong()).isEqualTo(1);
        assertThat(result.get("duplicates").asLong()).isZero();
        assertThat(result.has("max_deviation_points")).isTrue();
        assertThat(result.get("analyzers")).hasSize(2);
        JsonNode first = result.get("analyzers").get(0);
        assertThat(first.get("name").asText()).isEqualTo("a1");
        assertThat(first.get("weight").asDouble()).isEqualTo(1.0);
        assertThat(first.get("expected_share").asDouble()).isEqualTo(1.0);
        assertThat(first.get("actual_share").asDouble()).isEqualTo(1.0);
        assertThat(first.get("messages").asLong()).isEqualTo(8);
    }

    @Test
    void shouldExpectOnlyTheSequencesFromTheRunsFirstSequenceOn() throws Exception {
        // An --emitter-id reused: the distributor held 1..2 from an earlier run, so this run numbered from 3.
        Path report = emitterReport("{\"7\": {\"first_sequence\": 3, \"acked_through\": 4, \"refused\": []}}");
        Path a1 = records("a1", new long[] {7, 3, 4, T0}, new long[] {7, 4, 4, T0 + 1});

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).as(out.toString()).isZero();
        assertThat(out.toString()).contains("acked: 2  lost: 0");
    }

    @Test
    void shouldRefuseRecordsOfAnEarlierRunWithTheSameEmitterId() throws Exception {
        // Run 1 (an hour ago) recorded 7/1; run 2 reused --emitter-id 7 and numbered from 1
        // again, its 7/1 acknowledged but never recorded: 7/1 of run 1 must not pass for it.
        Path report = emitterReport("{\"7\": {\"acked_through\": 2, \"refused\": []}}", RUN_TWO);
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, RUN_TWO + 1});

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: the record files hold packets of emitter 7 recorded at ")
            .contains("before its run began").contains("--emitter-id").hasLineCount(1);
    }

    @Test
    void shouldRefuseDeadLettersOfAnEarlierRunWithTheSameEmitterId() throws Exception {
        // An earlier run dead-lettered 7/1 (the file is written now); this run, begun an hour from
        // now, reused --emitter-id 7, and its 7/1 was acknowledged and lost: the old record must not cover it.
        long later = java.time.Instant.now().plusSeconds(3600).toEpochMilli() * 1000;
        Path report = emitterReport("{\"7\": {\"acked_through\": 1, \"refused\": []}}", later);
        Path a1 = records("a1");
        Path dead = deadLetters("dl", new long[] {7, 1});

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1, "--dead-letter", dead.toString());

        assertThat(code).as(out.toString()).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: the dead-letter files hold packets of emitter 7 written at ")
            .contains("before its run began").contains("--emitter-id").hasLineCount(1);
    }

    @Test
    void shouldRefuseReportsOfTwoRunsThatNumberedTheSameSequences() throws Exception {
        // Both runs of emitter 7 sent 1..2; with both reports given, the earliest start would
        // let run 1's records pass for run 2's.
        Path first = emitterReport("{\"7\": {\"acked_through\": 2, \"refused\": []}}", T0 - 1);
        Path second = emitterReport("{\"7\": {\"acked_through\": 2, \"refused\": []}}", RUN_TWO);
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1}, new long[] {7, 2, 4, RUN_TWO + 1});

        int code = run("--emitter-report", first.toString(), "--emitter-report", second.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: two emitter reports of emitter 7").contains("sequences 1..2").hasLineCount(1);
    }

    @Test
    void shouldTakeReportsOfRunsThatResumeOneAnother() throws Exception {
        // Run 2 numbered on from 3, where the distributor said run 1 stopped: no sequence is both runs'.
        Path first = emitterReport("{\"7\": {\"acked_through\": 2, \"refused\": []}}", T0 - 1);
        Path second = emitterReport("{\"7\": {\"first_sequence\": 3, \"acked_through\": 3, \"refused\": []}}", RUN_TWO);
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1}, new long[] {7, 3, 4, RUN_TWO + 1});

        int code = run("--emitter-report", first.toString(), "--emitter-report", second.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("acked: 3  lost: 0");
    }

    @Test
    void shouldTakeRecordsOfAnEarlierRunBelowThisRunsFirstSequence() throws Exception {
        // The distributor held 1..2 from run 1, so run 2 numbered from 3: run 1's records are not audited.
        Path report = emitterReport("{\"7\": {\"first_sequence\": 3, \"acked_through\": 3, \"refused\": []}}", RUN_TWO);
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1}, new long[] {7, 3, 4, RUN_TWO + 1});

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("acked: 1  lost: 0");
    }

    @Test
    void shouldMergeSeveralEmitterReports() throws Exception {
        Path r1 = emitterReport("{\"1\": {\"acked_through\": 1}}");
        Path r2 = emitterReport("{\"2\": {\"acked_through\": 1}}");
        Path a1 = records("a1", new long[] {1, 1, 1, T0});

        int code = run("--emitter-report", r1.toString(), "--emitter-report", r2.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).isEqualTo(1);
        assertThat(out.toString()).contains("lost: emitter 2 sequence 1").contains("acked: 2  lost: 1");
    }

    @Test
    void shouldExitTwoInOneLineWhenARecordFileIsMissing() throws Exception {
        Path report = emitterReport("{}");

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + dir.resolve("nope.rec"));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: record file " + dir.resolve("nope.rec") + " of analyzer a1 does not exist"
            + System.lineSeparator());
    }

    @Test
    void shouldExitTwoInOneLineWhenAnEmitterReportIsNotJson() throws Exception {
        Path report = dir.resolve("bad.json");
        Files.writeString(report, "{\"emitters\": {");
        Path a1 = records("a1");

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: emitter report " + report + " is not valid JSON").hasLineCount(1);
    }

    @Test
    void shouldExitTwoWhenAnEmitterReportIsMissing() throws Exception {
        Path a1 = records("a1");

        int code = run("--emitter-report", dir.resolve("none.json").toString(), "--analyzer", "a1=1:" + a1);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: emitter report " + dir.resolve("none.json") + " does not exist" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAnAnalyzerWithoutWeight() {
        int code = run("--emitter-report", "r.json", "--analyzer", "a1:x.rec");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("is not NAME=WEIGHT:RECORDFILE");
    }

    /** A dead-letter file in {@code dir/name} holding one packet per {emitterId, sequence}. */
    private Path deadLetters(String name, long[]... pairs) throws IOException {
        try (DeadLetterWriter writer = DeadLetterWriter.open(dir.resolve(name))) {
            for (long[] pair : pairs) {
                ByteBuf b = Unpooled.wrappedBuffer(new PacketModel(pair[0], pair[1], T0, 0, List.of(new byte[] {'x'})).toBytes());
                try {
                    writer.append(b, 5, "max retries (5) exceeded");
                } finally {
                    b.release();
                }
            }
            return writer.file();
        }
    }

    @Test
    void shouldCountAnAckedPacketFoundOnlyInADeadLetterFileAsAccountedFor() throws Exception {
        Path report = emitterReport("{\"7\": {\"acked_through\": 4, \"refused\": []}}");
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1});
        Path dead = deadLetters("dl", new long[] {7, 3}, new long[] {7, 3}, new long[] {8, 1});

        AuditResult r = Audit.run(List.of(report), List.of(new AnalyzerSpec("a1", 1, a1)), List.of(dead), Duration.ofMillis(100));

        assertThat(r.acked()).isEqualTo(4);
        assertThat(r.lost()).isEqualTo(1);
        assertThat(r.lostExamples()).containsExactly(new AuditResult.Pair(7, 4));
        assertThat(r.deadLettered()).isEqualTo(2);
        assertThat(r.receivedNotAcked()).isZero();
    }

    @Test
    void shouldReadEveryDeadLetterFileOfADirectoryAndPrintTheCount() throws Exception {
        Path report = emitterReport("{\"7\": {\"acked_through\": 4, \"refused\": []}}");
        Path a1 = records("a1", new long[] {7, 1, 4, T0}, new long[] {7, 2, 4, T0 + 1});
        deadLetters("dl", new long[] {7, 3});
        deadLetters("dl", new long[] {7, 4});
        Path json = dir.resolve("audit.json");

        int code = run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1,
            "--dead-letter", dir.resolve("dl").toString(), "--json", json.toString());

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("acked: 4  lost: 0  duplicates: 0  dead-lettered: 2");
        assertThat(new ObjectMapper().readTree(json.toFile()).get("dead_lettered").asLong()).isEqualTo(2);
    }

    @Test
    void shouldExitTwoInOneLineWhenADeadLetterFileIsMissingOrCorrupt() throws Exception {
        Path report = emitterReport("{}");
        Path a1 = records("a1");
        Path dead = deadLetters("dl", new long[] {7, 3}, new long[] {7, 4});
        byte[] bytes = Files.readAllBytes(dead);
        bytes[bytes.length - 2] ^= 1;
        Files.write(dead, bytes);

        assertThat(run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1,
            "--dead-letter", dir.resolve("nope.ldl").toString())).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("error: dead-letter file " + dir.resolve("nope.ldl") + " does not exist"
            + System.lineSeparator());

        err.getBuffer().setLength(0);
        assertThat(run("--emitter-report", report.toString(), "--analyzer", "a1=1:" + a1,
            "--dead-letter", dead.toString())).isEqualTo(2);
        assertThat(err.toString()).startsWith("error: dead-letter file " + dead + " is corrupt: the record at offset ")
            .hasLineCount(1);
    }
}
