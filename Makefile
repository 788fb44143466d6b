# cvat-ds: build, test and demo. Every install step the project needs lives here (a fresh Debian machine,
# as root, needs only a Swift toolchain and this Makefile).

SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3
VENV := .venv
VENV_PY := $(VENV)/bin/python
SDK_VERSION := 2.80.0
APT_PACKAGES := libcurl4-openssl-dev libturbojpeg0-dev libpng-dev pkg-config python3 python3-venv
DEMO_DIR := demo-out

.PHONY: all deps venv build release test test-swift test-server demo clean

all: build

## deps: the three C libraries (and pkg-config, python3), installed with apt-get when missing.
deps:
	@if pkg-config --exists libcurl libturbojpeg libpng 2>/dev/null && command -v $(PYTHON) >/dev/null \
	    && $(PYTHON) -c 'import venv, ensurepip' 2>/dev/null; then \
	    echo "deps: libcurl, libturbojpeg, libpng and python3 are present"; \
	else \
	    echo "deps: installing $(APT_PACKAGES)"; \
	    if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES); \
	fi

## venv: Python for the test server's conformance tests and for running the real cvat-sdk in tests.
$(VENV_PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV_PY) -m pip install -q --disable-pip-version-check "cvat-sdk==$(SDK_VERSION)" numpy pytest

venv: deps $(VENV_PY)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## test: every Swift test (units and end-to-end against the test server) and the server's conformance tests.
test: venv build test-server test-swift

test-swift:
	$(SWIFT) build --build-tests
	CVAT_DS_PYTHON=$(CURDIR)/$(VENV_PY) $(SWIFT) test --skip-build

test-server: $(VENV_PY)
	$(VENV_PY) -m pytest -q Fixtures/server/tests

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
	rm -rf .build $(DEMO_DIR)
