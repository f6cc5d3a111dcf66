# The front door. `make demo` and `make test` are the README's quick start.
PREFIX ?= /usr/local
MVN ?= mvn -B -q
DIST = target/dist

.PHONY: all deps build image demo test test-fast test-unit bench install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(MVN) package -DskipTests

## The Kubernetes installer image (packaging/k8s), an OCI archive for `ctr -n k8s.io images import`.
image: build
	scripts/installer-image.sh $(DIST) target/nestlet-installer.oci.tar $$(sed -n 's#^  <version>\(.*\)</version>#\1#p' pom.xml | head -1)

## Build, start nestletd on a private socket, run containers through it with runc, stop everything.
demo: build
	scripts/demo.sh

## The whole suite: unit tests, integration tests, the slow Docker-in-Docker group.
test: deps
	scripts/mvn-progress.sh verify

## Unit tests and the fast integration tests (no Docker-in-Docker).
test-fast: deps
	scripts/mvn-progress.sh verify -Dit.excludedGroups=slow

test-unit:
	scripts/mvn-progress.sh test

bench: build
	bench/run-all.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/lib/nestlet/bin $(DESTDIR)$(PREFIX)/lib/nestlet/lib $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(DIST)/bin/* $(DESTDIR)$(PREFIX)/lib/nestlet/bin/
	install -m 0644 $(DIST)/lib/* $(DESTDIR)$(PREFIX)/lib/nestlet/lib/
	rm -rf $(DESTDIR)$(PREFIX)/lib/nestlet/runtime
	[ ! -d $(DIST)/runtime ] || cp -a $(DIST)/runtime $(DESTDIR)$(PREFIX)/lib/nestlet/runtime
	for b in nestletd nestletctl nestlet-hook; do ln -sf ../lib/nestlet/bin/$$b $(DESTDIR)$(PREFIX)/bin/$$b; done
	install -D -m 0644 systemd/nestletd.service $(DESTDIR)/etc/systemd/system/nestletd.service
	[ -e $(DESTDIR)/etc/nestlet/nestletd.conf ] || install -D -m 0644 packaging/nestletd.conf $(DESTDIR)/etc/nestlet/nestletd.conf
	install -d $(DESTDIR)$(PREFIX)/share/containers/oci/hooks.d
	install -m 0644 packaging/hooks.d/*.json $(DESTDIR)$(PREFIX)/share/containers/oci/hooks.d/
	install -D -m 0644 packaging/apparmor/nestlet-system-container $(DESTDIR)/etc/apparmor.d/nestlet-system-container
	install -d $(DESTDIR)$(PREFIX)/share/nestlet/containerd $(DESTDIR)$(PREFIX)/share/nestlet/crio $(DESTDIR)$(PREFIX)/share/nestlet/k8s
	install -m 0644 packaging/containerd/*.toml $(DESTDIR)$(PREFIX)/share/nestlet/containerd/
	install -m 0644 packaging/crio/*.conf $(DESTDIR)$(PREFIX)/share/nestlet/crio/
	install -m 0644 packaging/k8s/*.yaml $(DESTDIR)$(PREFIX)/share/nestlet/k8s/

clean:
	$(MVN) clean
