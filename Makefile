# logdist: see README.md. Everything goes through the Maven Wrapper (needs only a JDK 17).
MVNW := ./mvnw -B -q
export MAVEN_OPTS ?= -Xmx1g

.PHONY: build test run bench-jmh clean help

help:
	@echo "make build   compile and package every program (scripts/logdist runs them)"
	@echo "make test    run every test"
	@echo "make run     build, then run the local demo (4 weighted analyzers, distributor, emitter)"
	@echo "make bench-jmh  JMH benchmarks of the routing tree, codec and priority queues (with -prof gc)"
	@echo "make clean   remove build output"

build:
	$(MVNW) -DskipTests install

# Not quiet: Surefire's per-module "Tests run" summaries are the record of what ran.
test:
	./mvnw -B -ntp install

run: build
	scripts/demo.sh

# JMH_ARGS narrows or shortens a run, e.g. JMH_ARGS="WeightedTree -wi 1 -i 3".
JMH_ARGS ?=
bench-jmh: build
	java -jar benchmarks/target/benchmarks.jar -prof gc $(JMH_ARGS)

clean:
	$(MVNW) clean
	rm -rf run/
