# CID Graph: `make demo` and `make test` set everything up from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --frozen --no-sync
DEMO_WAREHOUSE ?= data/demo
DEMO_SIZE ?= medium
export CID_GRAPH_SECRET_PATH ?= $(CURDIR)/data/secret.key

.PHONY: setup web demo demo-data serve test lint bench privacy-audit clean

setup: .venv/.installed

# uv is bootstrapped with pip where it is missing; uv.lock pins every package.
.venv/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen
	@touch $@

web:
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi

demo-data: setup
	@if [ ! -f $(DEMO_WAREHOUSE)/CURRENT ]; then \
	  $(RUN) cid-graph demo --warehouse $(DEMO_WAREHOUSE) --size $(DEMO_SIZE); \
	else echo "demo warehouse $(DEMO_WAREHOUSE) exists (remove it to rebuild)"; fi

demo: setup web demo-data
	$(RUN) cid-graph demo-serve --warehouse $(DEMO_WAREHOUSE)

test: setup web
	$(RUN) pytest
	$(RUN) ruff check .
	$(RUN) mypy cid_graph schema metrics resolvers warehouse

lint: setup
	$(RUN) ruff check .
	$(RUN) mypy cid_graph schema metrics resolvers warehouse

bench: setup
	CID_GRAPH_SECRET_PATH=$(CURDIR)/bench/out/secret.key $(RUN) python -m bench

# The attack suite on the demo network, then the independent red team on its own 60-organization
# network: each writes its report and exits non-zero on a leak (the red team on any recovery).
privacy-audit: setup
	$(RUN) pytest tests/privacy -q
	$(RUN) python -m bench.privacy_audit --size $(or $(AUDIT_SIZE),medium) --out bench/PRIVACY_AUDIT.md
	$(RUN) python -m bench.redteam --budget full --out bench/redteam/REPORT.md

clean:
	rm -rf .venv data cid_graph/static/web
