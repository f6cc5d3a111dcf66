# The front door. `make demo` and `make test` are the README's quick start.
PREFIX ?= /usr/local
# Where the systemd unit goes: the admin's directory for `make install`, the
# package's (/lib/systemd/system) for `make deb`.
UNITDIR ?= /etc/systemd/system
VERSION := $(shell sed -n 's:^  <version>\(.*\)</version>$$:\1:p' pom.xml | head -n1)
MVN ?= mvn -B -q
DIST = target/dist

.PHONY: all deps build image demo test test-fast test-unit fuzz bench install install-files deb deb-files clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(MVN) package -DskipTests

## The Kubernetes installer image (packaging/k8s), an OCI archive for `ctr -n k8s.io images import`.
image: build
	scripts/installer-image.sh $(DIST) target/nestlet-installer.oci.tar $$(sed -n 's#^  <version>\(.*\)</version>#\1#p' pom.xml | head -1)

## Build, start nestletd on a private socket, run dockerd, docker run and docker build inside an
## unprivileged system container (podman with nestlet-runtime), remove everything (README, quick start).
# The tests are not compiled: the demo runs none, and compiling them (with Error Prone, on every
# run) took two thirds of the CPU time of `make build` with nothing changed (bench/RESULTS.md, issue 12).
demo: deps
	@echo "== building target/dist (Maven: Java, the C programs, the bundled Java runtime; the tests are not compiled)"
	$(MVN) package -DskipTests -Dmaven.test.skip=true
	scripts/demo.sh

## The whole suite: unit tests, integration tests, the slow Docker-in-Docker group.
test: deps
	scripts/mvn-progress.sh verify

## Unit tests and the fast integration tests (no Docker-in-Docker).
test-fast: deps
	scripts/mvn-progress.sh verify -Dit.excludedGroups=slow

test-unit:
	scripts/mvn-progress.sh test

## The property tests (*PropertyTest) with FUZZ_TRIES generated cases each instead of the
## 400 of `make test`; a failure prints the seed (replay: -Dnestlet.props.seed=S) and the case.
## Then each Jazzer @FuzzTest (FUZZ_TARGETS), coverage-guided, for its maxDuration: findings
## land in src/test/resources/<package>/<Class>Inputs/<method>/ and are replayed by every
## `make test` from then on; the growing corpus stays in .cifuzz-corpus/ (not committed).
## Jackson's parser is instrumented too: without its branches as feedback, the request-line
## target saw 32 edges in 128 000 inputs (every line one parse error); with them, 1 896.
FUZZ_TRIES ?= 100000
FUZZ_INSTRUMENT ?= dev.nestlet.**,com.fasterxml.jackson.core.**
FUZZ_TARGETS ?= HookRequestPropertyTest\#anyBytesGetOneAnswerLineWithAProtocolErrorAtWorst \
	SpecEditorPropertyTest\#anyBytesBecomeASystemContainersConfigOrAClearError \
	VirtualFsPropertyTest\#rawBodiesGetWellFormedRepliesAndNothingThrows \
	MountTableBytesTest\#anyMountPointNameParsesBack
fuzz: deps
	$(MVN) test -Dtest='*PropertyTest' -Dsurefire.failIfNoSpecifiedTests=false -Dnestlet.props.tries=$(FUZZ_TRIES)
	for t in $(FUZZ_TARGETS); do \
	  JAZZER_FUZZ=1 $(MVN) surefire:test@fuzz-regression -Dtest="$$t" -Dnestlet.jazzer.hooks=true -Djazzer.instrument='$(FUZZ_INSTRUMENT)' || exit 1; \
	done

bench: build
	bench/run-all.sh

install: build
	$(MAKE) --no-print-directory install-files

# $(call prefixed,FILES,DIR): FILES into DIR (mode 0644), naming the install
# tree under PREFIX: the repository's unit, hooks.d and engine files name
# /usr/local.
prefixed = for f in $(1); do sed 's|/usr/local/|$(PREFIX)/|g' "$$f" > $(2)/$$(basename "$$f") && chmod 0644 $(2)/$$(basename "$$f"); done

install-files:
	install -d $(DESTDIR)$(PREFIX)/lib/nestlet/bin $(DESTDIR)$(PREFIX)/lib/nestlet/lib $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(DIST)/bin/* $(DESTDIR)$(PREFIX)/lib/nestlet/bin/
	install -m 0644 $(DIST)/lib/* $(DESTDIR)$(PREFIX)/lib/nestlet/lib/
	rm -rf $(DESTDIR)$(PREFIX)/lib/nestlet/runtime
	[ ! -d $(DIST)/runtime ] || cp -a $(DIST)/runtime $(DESTDIR)$(PREFIX)/lib/nestlet/runtime
	for b in nestletd nestletctl nestlet-hook nestlet-runtime; do ln -sf ../lib/nestlet/bin/$$b $(DESTDIR)$(PREFIX)/bin/$$b; done
	install -d $(DESTDIR)$(UNITDIR)
	$(call prefixed,systemd/nestletd.service,$(DESTDIR)$(UNITDIR))
	[ -e $(DESTDIR)/etc/nestlet/nestletd.conf ] || install -D -m 0644 packaging/nestletd.conf $(DESTDIR)/etc/nestlet/nestletd.conf
	install -d $(DESTDIR)$(PREFIX)/share/containers/oci/hooks.d
	$(call prefixed,packaging/hooks.d/*.json,$(DESTDIR)$(PREFIX)/share/containers/oci/hooks.d)
	install -D -m 0644 packaging/apparmor/nestlet-system-container $(DESTDIR)/etc/apparmor.d/nestlet-system-container
	install -d $(DESTDIR)$(PREFIX)/share/nestlet/containerd $(DESTDIR)$(PREFIX)/share/nestlet/crio $(DESTDIR)$(PREFIX)/share/nestlet/k8s
	$(call prefixed,packaging/containerd/*.toml,$(DESTDIR)$(PREFIX)/share/nestlet/containerd)
	$(call prefixed,packaging/crio/*.conf,$(DESTDIR)$(PREFIX)/share/nestlet/crio)
	install -m 0644 packaging/k8s/*.yaml $(DESTDIR)$(PREFIX)/share/nestlet/k8s/

## target/nestlet_VERSION_amd64.deb: the install tree of `make install PREFIX=/usr`, with postinst/postrm (packaging/deb).
deb: build
	$(MAKE) --no-print-directory deb-files

# The .deb from the build as it is (DebPackageIT makes its own in its test dir).
DEB_STAGING ?= target/deb-staging
DEB ?= target/nestlet_$(VERSION)_amd64.deb
DEB_COMPRESS ?= -Zxz
deb-files:
	rm -rf $(DEB_STAGING)
	$(MAKE) --no-print-directory install-files PREFIX=/usr UNITDIR=/lib/systemd/system DESTDIR=$(abspath $(DEB_STAGING))
	packaging/deb/build.sh $(DEB_STAGING) $(VERSION) $(DEB) "$(DEB_COMPRESS)"

clean:
	$(MVN) clean
