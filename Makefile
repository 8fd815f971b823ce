# logdist: see README.md. Everything goes through the Maven Wrapper (needs only a JDK 17).
MVNW := ./mvnw -B -q
export MAVEN_OPTS ?= -Xmx1g

.PHONY: build test run bench bench-connections bench-jmh clean help

help:
	@echo "make build   compile and package every program (scripts/logdist runs them)"
	@echo "make test    run every test"
	@echo "make test-ui the dashboard in headless Chromium against a running distributor (installs chromium if needed)"
	@echo "make run     build, then run the local demo (4 weighted analyzers, distributor, emitter)"
	@echo "make chaos   analyzers killed, stalled and flapping under load for 60 s, then the audit (lost must be 0)"
	@echo "make bench      end to end on this machine: throughput sweep, maximum, latency at half of it, HAProxy baseline (~7 min; appends to docs/benchmarks.md)"
	@echo "make bench-connections  10,000 emitter connections on one distributor: memory, and every one served (~2 min)"
	@echo "make bench-jmh  JMH benchmarks: routing tree, route+enqueue, ingest path, codec, priority queues (with -prof gc)"
	@echo "make clean   remove build output"

build:
	$(MVNW) -DskipTests install

# Not quiet: Surefire's per-module "Tests run" summaries are the record of what ran.
# Then the short chaos run (12 s, separate processes): prints only its summary.
test:
	./mvnw -B -ntp install
	CHAOS_SECONDS=12 CHAOS_QUIET=1 scripts/chaos.sh
	@if command -v chromium >/dev/null 2>&1; then scripts/test-ui.sh; \
	else echo "test-ui: skipped (chromium not installed; run make test-ui)"; fi

# The dashboard in headless Chromium against a running distributor; compares what it
# renders with the API and writes docs/dashboard.png. Installs chromium (apt) when missing.
.PHONY: test-ui
test-ui: build
	UI_SCREENSHOT=docs/dashboard.png scripts/test-ui.sh

# Analyzers killed, stalled and flapping under load for CHAOS_SECONDS (default 60), then
# the audit; see docs/reliability.md. CHAOS_SEED picks the schedule.
.PHONY: chaos
chaos: build
	scripts/chaos.sh

run: build
	scripts/demo.sh

# End to end: knobs MSG_BYTES, MSGS_PER_PACKET, STEP_SECONDS, RATES, MAX_RUNS, BASELINE... (see the script).
bench: build
	scripts/bench.sh

# CONNECTIONS (default 10000), RUN_SECONDS, PACKET_INTERVAL (see the script).
bench-connections: build
	scripts/bench-connections.sh

# JMH_ARGS narrows or shortens a run, e.g. JMH_ARGS="WeightedTree -wi 1 -i 3".
JMH_ARGS ?=
bench-jmh: build
	mkdir -p run  # where the documented -rff run/jmh.json goes; JMH creates the file before it runs anything
	java -jar benchmarks/target/benchmarks.jar -prof gc $(JMH_ARGS)

clean:
	$(MVNW) clean
	rm -rf run/
