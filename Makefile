# cvat-ds: build, test and demo. Every install step the project needs lives here (a fresh Debian machine,
# as root, needs only a Swift toolchain and this Makefile).

SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
SDK_VERSION := 2.80.0
APT_PACKAGES := libcurl4-openssl-dev libssl-dev libturbojpeg0-dev libpng-dev zlib1g-dev pkg-config python3 python3-venv strace
DEMO_DIR := demo-out
## Every swift-driver run (each swift build, swift test, and each module SwiftPM compiles) leaves a
## TemporaryDirectory.XXXXXX folder holding only .keep-directory in TMPDIR and never removes it; with TMPDIR under
## .build they, and the scratch folder of a killed test run, go with make clean instead of piling up in /tmp.
export TMPDIR := $(CURDIR)/.build/tmp
$(shell mkdir -p $(TMPDIR))

.PHONY: all deps venv build release test test-swift test-server test-slurm slurm-deps test-python test-torch \
    test-wheel test-ray wheel install demo clean lint

all: build

## deps: the C libraries (and pkg-config, python3, and strace for the durability tests), installed with apt-get
## when missing.
deps:
	@if pkg-config --exists libcurl libcrypto libturbojpeg libpng zlib 2>/dev/null && command -v $(PYTHON) >/dev/null \
	    && $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null && command -v strace >/dev/null; then \
	    echo "deps: libcurl, libcrypto, libturbojpeg, libpng, zlib, python3 and strace are present"; \
	else \
	    echo "deps: installing $(APT_PACKAGES)"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

## venv: Python for the test server's conformance tests and for running the real cvat-sdk in tests. The stamp
## file names the package list, so a .venv made before a package was added is brought up to date.
VENV_PACKAGES := cvat-sdk==$(SDK_VERSION) numpy pytest safetensors webdataset
VENV_STAMP := $(VENV)/.installed-$(shell echo '$(VENV_PACKAGES)' | cksum | cut -d' ' -f1)

$(VENV_STAMP):
	test -x $(VENV_PY) || $(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install -q --disable-pip-version-check $(VENV_PACKAGES)
	rm -f $(VENV)/.installed-* && touch $@

$(VENV_PY): $(VENV_STAMP)

venv: deps $(VENV_STAMP)

## The torch venv: the test venv's packages plus torch and torchvision, for cvat_ds.torch, cvat_ds.pytorch and
## their parity with cvat_sdk.pytorch. torch 2.13 pinned: a +cpu wheel that pip's find-links offer is taken
## before PyPI's (a local version sorts higher), and torchvision 0.28 is the release made for it. A separate venv,
## so the test venv stays small; about 4 minutes to install once, then stamped like the test venv.
TORCH_VENV := .venv-torch
TORCH_PY := $(TORCH_VENV)/bin/python
TORCH_PACKAGES := $(VENV_PACKAGES) pillow torch==2.13.0 torchvision==0.28.0
TORCH_STAMP := $(TORCH_VENV)/.installed-$(shell echo '$(TORCH_PACKAGES)' | cksum | cut -d' ' -f1)

$(TORCH_STAMP):
	test -x $(TORCH_PY) || $(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_PY) -m pip install -q --disable-pip-version-check $(TORCH_PACKAGES)
	rm -f $(TORCH_VENV)/.installed-* && touch $@

build: deps
	$(SWIFT) build

## release: the binary users get from make install and the wheel, Swift runtime and Foundation linked statically
## (a process starts in 8 ms instead of 14: 38 shared libraries to map and relocate instead of 52), so make bench
## measures that binary.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product cvat-ds

## test: lint, every Swift test (units and end-to-end against the test server), the server's conformance tests, the
## Python package's tests (numpy, then torch, then the wheel in a fresh venv without the Swift toolchain), a few
## seconds of each fuzz target, and --shard auto under a real Slurm (test-slurm).
test: venv build lint test-server test-swift test-python test-torch test-wheel test-fuzz test-slurm

test-swift:
	$(SWIFT) build --build-tests
	CVAT_DS_PYTHON=$(CURDIR)/$(VENV_PY) $(SWIFT) test --skip-build

test-server: $(VENV_PY)
	$(VENV_PY) -m pytest -q Fixtures/server/tests

## test-python: the cvat_ds package (numpy only) over exports the debug binary makes against the test server.
## test-torch: cvat_ds.torch through DataLoaders, and cvat_ds.pytorch against cvat_sdk.pytorch on the same server.
PYTHON_TESTS := python/tests
test-python: build $(VENV_PY)
	CVAT_DS=$(CURDIR)/.build/debug/cvat-ds $(VENV_PY) -m pytest -q -p no:cacheprovider $(PYTHON_TESTS)/test_export.py

test-torch: build $(TORCH_STAMP)
	CVAT_DS=$(CURDIR)/.build/debug/cvat-ds $(TORCH_PY) -m pytest -q -p no:cacheprovider \
	    $(PYTHON_TESTS)/test_torch.py $(PYTHON_TESTS)/test_pytorch_parity.py $(PYTHON_TESTS)/test_examples.py

## test-ray: the Ray Data recipe of docs/cluster.md (ray.data.read_webdataset over a webdataset export) and Hugging
## Face datasets' webdataset loader on a webdataset export, in a venv of its own with ray[data] and datasets (about
## a minute to install once). Not part of make test: Ray is large, and nothing else needs it.
RAY_VENV := .venv-ray
RAY_PY := $(RAY_VENV)/bin/python
RAY_PACKAGES := numpy pytest webdataset ray[data] datasets
RAY_STAMP := $(RAY_VENV)/.installed-$(shell echo '$(RAY_PACKAGES)' | cksum | cut -d' ' -f1)

$(RAY_STAMP):
	test -x $(RAY_PY) || $(PYTHON) -m venv $(RAY_VENV)
	$(RAY_PY) -m pip install -q --disable-pip-version-check $(RAY_PACKAGES)
	rm -f $(RAY_VENV)/.installed-* && touch $@

test-ray: build $(RAY_STAMP)
	CVAT_DS=$(CURDIR)/.build/debug/cvat-ds $(RAY_PY) -m pytest -q -p no:cacheprovider $(PYTHON_TESTS)/test_ray.py \
	    $(PYTHON_TESTS)/test_hf_datasets.py

## wheel: dist/cvat_ds-VERSION-py3-none-PLATFORM.whl, the release binary (Swift runtime linked statically,
## stripped) and the Python package. libcurl, libturbojpeg, libpng and zlib stay system libraries
## (docs/python.md says why). test-wheel: that wheel in a fresh venv, run with the toolchain out of sight.
WHEEL_STAGE := python/build/bin
wheel: deps $(VENV_PY)
	$(SWIFT) build -c release --static-swift-stdlib --product cvat-ds
	rm -rf python/build python/cvat_ds.egg-info && mkdir -p $(WHEEL_STAGE) dist
	cp .build/release/cvat-ds $(WHEEL_STAGE)/cvat-ds && strip $(WHEEL_STAGE)/cvat-ds
	rm -f dist/cvat_ds-*.whl
	CVAT_DS_BINARY=build/bin/cvat-ds $(VENV_PY) -m pip wheel -q --disable-pip-version-check --no-deps -w dist ./python
	rm -rf python/build python/cvat_ds.egg-info
	@ls -l dist/cvat_ds-*.whl

test-wheel: wheel
	CVAT_DS_WHEEL=$$(ls dist/cvat_ds-*.whl) CVAT_DS=$(CURDIR)/.build/release/cvat-ds \
	    $(VENV_PY) -m pytest -q -p no:cacheprovider $(PYTHON_TESTS)/test_wheel.py

## install: the release binary into PREFIX/bin, its bash, zsh and fish completions and its man pages (both made
## by ArgumentParser: --generate-completion-script, and the generate-manual plugin, from the package's checkouts).
PREFIX ?= /usr/local
DESTDIR ?=
MAN_DIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASH_DIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSH_DIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISH_DIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
## The plugin builds the package in release mode itself, without --static-swift-stdlib, so it runs first and the
## static build relinks the binary afterwards.
install: deps
	rm -rf .build/manual && mkdir -p .build/manual
	$(SWIFT) package --disable-sandbox generate-manual --multi-page --output-directory .build/manual \
	    2>&1 | grep -E "error|Generat"
	$(SWIFT) build -c release --static-swift-stdlib --product cvat-ds
	install -d $(DESTDIR)$(PREFIX)/bin $(MAN_DIR) $(BASH_DIR) $(ZSH_DIR) $(FISH_DIR)
	install -m 755 -s .build/release/cvat-ds $(DESTDIR)$(PREFIX)/bin/cvat-ds
	install -m 644 .build/manual/*.1 $(MAN_DIR)/
	.build/release/cvat-ds --generate-completion-script bash > $(BASH_DIR)/cvat-ds
	.build/release/cvat-ds --generate-completion-script zsh > $(ZSH_DIR)/_cvat-ds
	.build/release/cvat-ds --generate-completion-script fish > $(FISH_DIR)/cvat-ds.fish
	@echo "installed $(DESTDIR)$(PREFIX)/bin/cvat-ds, its man pages and bash/zsh/fish completions"

## lint: formatting and style rules of .swift-format (the toolchain's swift-format; `swift format format -i -r
## Sources Tests Package.swift` fixes most findings), and Fixtures/checks/check_modules.py: Package.swift declares
## exactly what each target imports, and no module imports one above it (docs/architecture.md). Part of make test.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	$(PYTHON) Fixtures/checks/check_modules.py

## test-slurm: cvat-ds export --shard auto as array jobs of a real Slurm on this machine (one node; its own
## munged, slurmctld and slurmd, configured in a scratch folder and stopped at the end): arrays 0-3, 1-4 and
## 0-9:3 of Fixtures/slurm/cvat-ds-export.sbatch, in npy and in webdataset (read back with the webdataset
## package), each merged and compared with the unsharded export, and a list
## array 0,1,5 that every task must refuse (Fixtures/slurm/run_slurm_test.sh). slurm-deps installs Debian's
## slurm-wlm and munge when missing, with services kept from starting (policy-rc.d), since the test runs daemons
## of its own. About 80 s (most of it sbatch --wait polling); needs root.
SLURM_APT_PACKAGES := slurm-wlm munge

slurm-deps:
	@if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
	    && command -v munged >/dev/null; then \
	    echo "slurm-deps: slurm-wlm and munge are present"; \
	else \
	    echo "slurm-deps: installing $(SLURM_APT_PACKAGES)"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    guard=; if [ ! -e /usr/sbin/policy-rc.d ]; then guard=1; \
	        printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null \
	        && $$SUDO chmod 755 /usr/sbin/policy-rc.d; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	        --no-install-recommends $(SLURM_APT_PACKAGES); status=$$?; \
	    if [ -n "$$guard" ]; then $$SUDO rm -f /usr/sbin/policy-rc.d; fi; \
	    exit $$status; \
	fi

test-slurm: build $(VENV_PY) slurm-deps
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO Fixtures/slurm/run_slurm_test.sh .build/debug/cvat-ds $(abspath $(VENV_PY))

## demo: start the test server with the sample dataset, sync the sample project, and show what the cache holds.
demo: build $(VENV_PY)
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	@$(PYTHON) Fixtures/server/cvat_test_server.py --dataset Fixtures/datasets/sample --port 0 \
	    --ready-file $(DEMO_DIR)/server.url > /dev/null 2>&1 & \
	trap "kill $$! 2>/dev/null" EXIT; \
	for i in $$(seq 50); do [ -s $(DEMO_DIR)/server.url ] && break; sleep 0.1; done; \
	url=$$(cat $(DEMO_DIR)/server.url); \
	export CVAT_ACCESS_TOKEN=cvat_pat_admin.0123456789abcdef; \
	echo "== test server at $$url (sample project 1: tasks 1, 2 Train; 3 Validation)"; \
	echo "== cvat-ds sync --project 1"; \
	.build/debug/cvat-ds sync --server-host $$url --cache-dir $(DEMO_DIR)/cache --project 1 && \
	echo "== cvat-ds sync --project 1 (again: nothing changed, so almost nothing is fetched)" && \
	.build/debug/cvat-ds sync --server-host $$url --cache-dir $(DEMO_DIR)/cache --project 1 && \
	echo "== cvat-ds info --task 1 --task 3" && \
	.build/debug/cvat-ds info --server-host $$url --cache-dir $(DEMO_DIR)/cache --task 1 --task 3 && \
	echo "== cvat-ds export --project 1 --transform label --resize 224x224 --out $(DEMO_DIR)/flowers" && \
	.build/debug/cvat-ds export --server-host $$url --cache-dir $(DEMO_DIR)/cache --project 1 \
	    --transform label --resize 224x224 --out $(DEMO_DIR)/flowers && \
	echo "== what numpy sees in $(DEMO_DIR)/flowers" && \
	$(VENV_PY) Fixtures/export/show_export.py $(DEMO_DIR)/flowers

clean:
	rm -rf .build $(DEMO_DIR) dist python/build python/cvat_ds.egg-info

## fuzz: each libFuzzer target (Sources/Fuzz*/) from its seed corpus in Fixtures/fuzz/<target>/ (crash-* files there
## are earlier finds, replayed first), for FUZZ_SECONDS (default 60) each, or with FUZZ_RUNS=N for N executions each
## and no time limit (the recorded run: `make fuzz FUZZ_RUNS=1000000`). FUZZ_TARGETS="fuzz-npy fuzz-png" picks some.
## New coverage goes to .build-fuzz/corpus/<target>, the log to .build-fuzz/<target>.log; a crash or a hang (an input
## running longer than 20 s) stops make and is saved as Fixtures/fuzz/<target>/crash-<sha1> (or timeout-<sha1>).
## A table of executions, time and rate per target is printed at the end and kept in .build-fuzz/summary.txt.
## Leak detection is off: Foundation and ZIPFoundation leak a few bytes per archive opened (fileSystemRepresentation
## is never freed), which is not ours to fix and not a crash. The targets are built optimised (-c release keeps
## preconditions, bounds and overflow checks; nothing in Sources uses assert) with -sanitize=address plus libFuzzer's
## coverage flags: at -Onone the same inputs ran 5 to 20 times slower. The driver is libclang_rt.fuzzer_no_main,
## because SwiftPM links each target's own @main as `main`. Swift's own crash backtracer is off (SWIFT_BACKTRACE):
## under ASan it could hang on a trap instead of letting libFuzzer save the input.
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_TARGETS := fuzz-jpeg fuzz-png fuzz-chunk-zip fuzz-json-models fuzz-mask-rle fuzz-npy fuzz-annotations \
    fuzz-manifest
FUZZ_SCRATCH := .build-fuzz
FUZZ_BIN := $(FUZZ_SCRATCH)/release
FUZZ_BUDGET = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_RUNTIME = $(shell "$$(dirname "$$(readlink -f "$$(command -v $(SWIFT))")")/clang" \
    -print-file-name=libclang_rt.fuzzer_no_main-$$(uname -m).a)
FUZZ_FLAGS = -c release -Xswiftc -sanitize=address \
    -Xswiftc -sanitize-coverage=edge,indirect-calls,trace-cmp,inline-8bit-counters,pc-table \
    -Xswiftc -D -Xswiftc FUZZING -Xlinker $(FUZZ_RUNTIME) -Xlinker -lstdc++

.PHONY: fuzz fuzz-build test-fuzz test-sanitize

fuzz-build: deps
	@for target in $(FUZZ_TARGETS); do \
	    $(SWIFT) build --scratch-path $(FUZZ_SCRATCH) --product $$target $(FUZZ_FLAGS) 2>&1 \
	        | grep -v "Cannot export local symbol" | grep -E "error|Compiling|complete" ; \
	    test -x $(FUZZ_BIN)/$$target || exit 1; \
	done

fuzz: fuzz-build
	@set -o pipefail; \
	summary=$$(printf "%-18s %12s %9s %9s %8s\n" target executions seconds "execs/s" "new"); \
	for target in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_SCRATCH)/corpus/$$target; \
	    echo "== $$target: $(if $(FUZZ_RUNS),$(FUZZ_RUNS) executions,$(FUZZ_SECONDS) s)"; \
	    start=$$(date +%s.%N); \
	    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0 $(FUZZ_BIN)/$$target $(FUZZ_BUDGET) -rss_limit_mb=2048 -timeout=20 \
	        -detect_leaks=0 -print_final_stats=1 -artifact_prefix=Fixtures/fuzz/$$target/ \
	        $(FUZZ_SCRATCH)/corpus/$$target Fixtures/fuzz/$$target > $(FUZZ_SCRATCH)/$$target.log 2>&1 \
	        || { tail -40 $(FUZZ_SCRATCH)/$$target.log; echo "fuzz: $$target failed; input saved in Fixtures/fuzz/$$target/"; exit 1; }; \
	    seconds=$$(awk "BEGIN { print $$(date +%s.%N) - $$start }"); \
	    runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_SCRATCH)/$$target.log); \
	    added=$$(sed -n 's/^stat::new_units_added: *//p' $(FUZZ_SCRATCH)/$$target.log); \
	    line=$$(awk -v t=$$target -v r=$$runs -v s=$$seconds -v c=$$added \
	        'BEGIN { printf "%-18s %12d %9.1f %9.0f %8d", t, r, s, r / s, c }'); \
	    echo "$$line"; summary="$$summary"$$'\n'"$$line"; \
	done; \
	echo "== fuzzing summary ($(if $(FUZZ_RUNS),FUZZ_RUNS=$(FUZZ_RUNS),FUZZ_SECONDS=$(FUZZ_SECONDS)); new: inputs that added coverage)"; \
	echo "$$summary" | tee $(FUZZ_SCRATCH)/summary.txt

## test-fuzz: a few seconds of each fuzz target (and a replay of every seed and earlier crash), for make test.
test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=4 FUZZ_RUNS=

## bench: cvat-ds against cvat-sdk on the same data in the same run (docs/performance.md; never in CI).
## BENCH_FRAMES=N (default 2000), BENCH_REPEAT=R runs of each measurement (default 5), BENCH_TORCH=1 (the SDK side
## as TaskVisionDataset + torchvision + DataLoader; installs torch and torchvision CPU wheels, a large download),
## BENCH_SCALE=1 (cvat-ds again at 10N frames, for RSS growth; slow). The venv, the generated dataset and the caches
## live in bench/work/ (gitignored); each run prints a table and appends a run record to bench/results.json.
BENCH_WORK := bench/work
BENCH_VENV := $(BENCH_WORK)/venv
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_FRAMES ?= 2000
BENCH_REPEAT ?= 5
BENCH_TORCH ?= 0
BENCH_SCALE ?= 0
BENCH_12MP_FRAMES ?= 150
BENCH_MEMORY ?= 1
BENCH_TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: bench bench-venv

$(BENCH_VENV)/.base-installed:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install -q --disable-pip-version-check "cvat-sdk==$(SDK_VERSION)" numpy pillow scikit-image
	touch $@

## torch: CPU wheels from PyTorch's index; where that index cannot be reached, a +cpu torch wheel that pip's
## find-links offer (pip install --no-index) and the torchvision release made for it from PyPI (0.(minor+15)).
$(BENCH_VENV)/.torch-installed: $(BENCH_VENV)/.base-installed
	$(BENCH_PY) -m pip install -q --disable-pip-version-check --retries 0 --timeout 20 \
	    --index-url $(BENCH_TORCH_INDEX) torch torchvision 2>/dev/null \
	|| { echo "bench: $(BENCH_TORCH_INDEX) unreachable: torch from pip's find-links, torchvision from PyPI"; \
	     $(BENCH_PY) -m pip install -q --disable-pip-version-check --no-index torch \
	     && tv=$$($(BENCH_PY) -c 'from importlib.metadata import version; m = version("torch").split(".")[1]; \
	         print("0.%d.*" % (int(m) + 15))') \
	     && $(BENCH_PY) -m pip install -q --disable-pip-version-check "torchvision==$$tv"; }
	touch $@

bench-venv: deps $(BENCH_VENV)/.base-installed $(if $(filter 1,$(BENCH_TORCH)),$(BENCH_VENV)/.torch-installed)

bench: release bench-venv
	BENCH_FRAMES=$(BENCH_FRAMES) BENCH_REPEAT=$(BENCH_REPEAT) BENCH_TORCH=$(BENCH_TORCH) BENCH_SCALE=$(BENCH_SCALE) \
	BENCH_12MP_FRAMES=$(BENCH_12MP_FRAMES) BENCH_MEMORY=$(BENCH_MEMORY) \
	    $(BENCH_PY) Fixtures/bench/run_bench.py --cvat-ds .build/release/cvat-ds

## test-sanitize: the whole Swift test suite, cvat-ds included, under AddressSanitizer. LeakSanitizer is off: XCTest,
## Foundation (Process, Data(contentsOf:)) and ZIPFoundation leak at exit, in every process. Swift has no -sanitize=undefined on Linux
## ("unsupported option"), so UndefinedBehaviorSanitizer covers the C shims only (-Xcc -fsanitize=undefined);
## Swift code traps on overflow and out-of-bounds access by itself.
test-sanitize: venv
	$(SWIFT) build --scratch-path .build-asan --build-tests --sanitize=address \
	    -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	CVAT_DS_PYTHON=$(CURDIR)/$(VENV_PY) $(SWIFT) test --scratch-path .build-asan --skip-build --sanitize=address

## soak: kill -9 at seeded random moments of syncs and exports, and a project sync under heavy faults (30% chunk
## 5xx, 10% dropped bodies, 429 + Retry-After on every chunk's first request, 50 ms latency), against the test
## server serving the sample project SOAK_COPIES times; the built binary, judged by Fixtures/soak/check_state.py
## (docs/hardening.md). SOAK_KILLS kill points per phase (sync and export), SOAK_CHAINS caches killed again and
## again until a run finishes, SOAK_SEED the seed of the kill points and of the server's faults. Prints the
## figures and writes them to SOAK_RESULTS. Never in CI: minutes, not seconds (make test runs the quick variant).
SOAK_KILLS ?= 60
SOAK_CHAINS ?= 5
SOAK_SEED ?= 1
SOAK_COPIES ?= 8
SOAK_RESULTS ?= .build-soak/results.json

.PHONY: soak

soak: build $(VENV_PY)
	$(VENV_PY) Fixtures/soak/soak.py --cvat-ds .build/debug/cvat-ds --kills $(SOAK_KILLS) --chains $(SOAK_CHAINS) \
	    --seed $(SOAK_SEED) --copies $(SOAK_COPIES) --results $(SOAK_RESULTS)
