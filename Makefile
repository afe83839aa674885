# medfund: `make run` starts the whole local stack, `make test` runs every test against a real one.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PROFILE ?= dev
VENV := .venv
PY := $(VENV)/bin/python
MEDFUND := $(VENV)/bin/medfund
STAMPS := .state/stamps
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PACKAGES := shared services/enrollment services/billing services/adjudication services/fund-ledger deploy cli
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))

.PHONY: help setup system-packages up down status run demo tour test lint bench

help:
	@echo "make run     set up, start the dev stack (Kafka, PostgreSQL, four services) and show the URLs"
	@echo "make test    set up and run unit, integration and end-to-end tests against a test stack"
	@echo "make bench   measure settlements, the collection feed and the ledger on the dev stack, beside the machine's limits"
	@echo "make tour    after make run: screenshots of every element of the console in .state/dev/screenshots"
	@echo "make setup | up | down | status [PROFILE=dev|test] | lint"

setup: system-packages $(STAMPS)/python
	@$(PY) -c "from medfund_deploy.kafka import ensure_jars; ensure_jars()"

# PostgreSQL server, a JDK, Maven, Chromium and a Chinese font (the console's browser tests and their
# screenshots) from Debian, installed only when missing.
system-packages:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jdk-headless"; \
	command -v mvn >/dev/null || missing="$$missing maven"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

$(STAMPS)/python: requirements.lock $(PYPROJECTS)
	@[ -x $(PY) ] || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps $(addprefix -e ,$(PACKAGES))
	@mkdir -p $(STAMPS) && touch $@

up: setup
	@$(MEDFUND) stack up --profile $(PROFILE)

down:
	@if [ -x $(MEDFUND) ]; then $(MEDFUND) stack down --profile $(PROFILE); fi

status: setup
	@$(MEDFUND) stack status --profile $(PROFILE)

run: up
	@$(MEDFUND) stack status --profile $(PROFILE)
	@$(MAKE) --no-print-directory demo

# Screenshots of every element of the console on the running stack (after `make run`), in .state/$(PROFILE)/screenshots.
tour: setup
	@$(MEDFUND) console tour --profile $(PROFILE)

# The guided demo runs as soon as the `medfund demo` command exists.
demo:
	@if $(MEDFUND) demo --help >/dev/null 2>&1; then $(MEDFUND) demo; \
	else echo "Stack is up: enrollment :8001, billing :8002, adjudication :8003, fund-ledger :8004 (docs at /docs)."; fi

# pytest exits 5 when it collected no test: that is a failure, not a pass. No test is rerun: a failure counts.
PYTEST_ARGS ?=
test: setup
	@status=0; $(PY) -m pytest $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: no tests were collected"; exit 1; fi; exit $$status

lint: setup
	$(VENV)/bin/ruff check .

# Benchmarks run on the dev stack they start; they print a table, they assert nothing. Their timed
# requests are sent by vegeta, built with Go from the module proxy into .state/tools/bin (bench only).
VEGETA_VERSION := v12.13.0
GO := $(or $(shell command -v go),$(wildcard /usr/local/go/bin/go))
bench: setup $(STAMPS)/vegeta-$(VEGETA_VERSION)
	PYTHONPATH=bench $(PY) -m medfund_bench $(BENCH_ARGS)

$(STAMPS)/vegeta-$(VEGETA_VERSION):
	@[ -n "$(GO)" ] || { echo "make bench: Go is needed to install vegeta $(VEGETA_VERSION) (the load generator);" \
	  "install Go (https://go.dev/doc/install) or put it on PATH"; exit 1; }
	GOBIN=$(CURDIR)/.state/tools/bin $(GO) install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)
	@mkdir -p $(STAMPS) && touch $@
