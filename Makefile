# logdist: see README.md. Everything goes through the Maven Wrapper (needs only a JDK 17).
MVNW := ./mvnw -B -q
export MAVEN_OPTS ?= -Xmx1g

.PHONY: build test run chaos bench bench-jmh clean help

help:
	@echo "make build   compile and package every program (scripts/logdist runs them)"
	@echo "make test    run every test"
	@echo "make run     build, then run the local demo (4 weighted analyzers, distributor, emitter)"
	@echo "make clean   remove build output"

build:
	$(MVNW) -DskipTests install

test:
	$(MVNW) install

run: build
	scripts/demo.sh

clean:
	$(MVNW) clean
	rm -rf run/
