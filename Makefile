# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make build   venv + pinned deps, demo raw data, dbt build on the embedded DuckDB, summary
#   make test    the default build with all its data tests, lint, and the pytest suite (with
#                the Spark target's tests: make spark-deps)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Demo data parameters (make build CUSTOMERS=200000 ...).
CUSTOMERS ?= 20000
DATA_DAYS ?= 365
SEED ?= 7
BAD_RATE ?= 0.01

export RAW_DATA_DIR ?= $(CURDIR)/data/raw
export DBT_DUCKDB_PATH ?= $(CURDIR)/warehouse.duckdb
# The identity file (e-mails and names, owner-only): profiles.yml derives the same default from
# DBT_DUCKDB_PATH. Not exported, so tests and benchmarks derive their own from their warehouse.
DBT_IDENTITY_PATH ?= $(DBT_DUCKDB_PATH:.duckdb=.identity.duckdb)
export DBT_PROFILES_DIR ?= $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
DATA_STAMP := $(RAW_DATA_DIR)/.generated-$(CUSTOMERS)-$(DATA_DAYS)-$(SEED)-$(BAD_RATE)
# dbt vars, e.g. make build VARS='{as_of: 2026-06-30}'
VARS ?= {}

.PHONY: build test test-fast venv data dbt-build publish summary lint pytest clean simulate \
	history-rollback bench bench-tiny raw-contract-doc build-then-lint system-deps audit metrics \
	dashboard report dashboard-screenshots

venv: $(STAMP)

# The locked tree is installed by uv (pinned here; pip installs it into the venv first): the
# same packages as `pip install -r requirements.lock`, in about 20 s rather than 40.
# --native-tls: the system certificate store, as pip uses it (a TLS-intercepting proxy's CA is
# there; uv's own roots would refuse it unless SSL_CERT_FILE is set). --compile-bytecode: the
# .pyc files written at install, as pip does (uv does not by default); with
# PYTHONDONTWRITEBYTECODE set, as on these machines, every process would compile them again.
UV_VERSION := 0.13.9
UV := $(BIN)/uv pip install --quiet --native-tls --compile-bytecode --python $(BIN)/python

$(STAMP): requirements.lock requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(UV) pip==26.3 setuptools==80.9.0 wheel==0.45.1
	$(UV) -r requirements.lock
	$(UV) --no-deps --no-build-isolation -e .
	@touch $@

# Debian packages: pango for the PDF renderer (WeasyPrint), poppler-utils to read PDFs back in
# tests, chromium and its driver for the dashboard's browser test. Installed only when missing
# (as root, or through sudo); `make test` runs this beside the build.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core poppler-utils chromium \
	chromium-driver
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:" $$missing; \
		sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$sudo apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends \
			$$missing >/dev/null; \
	fi

data: $(DATA_STAMP)

# The stamps go first: a generation killed half-way leaves no stamp, so the next run (with
# any parameters) generates again instead of building on a half-written folder.
$(DATA_STAMP): $(STAMP) $(wildcard segwarehouse/generate/*.py)
	@rm -f $(RAW_DATA_DIR)/.generated-*
	$(BIN)/python -m segwarehouse.generate --customers $(CUSTOMERS) --days $(DATA_DAYS) \
		--seed $(SEED) --bad-rate $(BAD_RATE) --out $(RAW_DATA_DIR)
	@touch $@

dbt-build: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.cli_vars '$(VARS)'
	$(BIN)/dbt build --vars '$(VARS)'

# BI tools read the published copy (serving/), never the warehouse file.
export SERVING_DIR ?= $(CURDIR)/serving
publish: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.publish --warehouse $(DBT_DUCKDB_PATH) --serving-dir $(SERVING_DIR)

# The dashboard (Streamlit, http://localhost:$(PORT)) and the same charts as one self-contained
# HTML file: both read the published Parquet under $(SERVING_DIR), never a DuckDB file.
# dashboard-screenshots: one PNG per page into docs/images (Debian chromium, make system-deps).
PORT ?= 8501
REPORT ?= report/segwarehouse-report.html
dashboard: $(STAMP)
	$(BIN)/streamlit run segwarehouse/dashboard/app.py --server.headless true \
		--server.port $(PORT) --browser.gatherUsageStats false --client.toolbarMode viewer

report: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.report --serving-dir $(SERVING_DIR) --out $(REPORT)

dashboard-screenshots: $(STAMP)
	$(BIN)/python -m segwarehouse.dashboard.browser --serving-dir $(SERVING_DIR) --out docs/images

# docs/raw-data-contract.md: its per-table part, from the staging spec in the sources' YAML
raw-contract-doc: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.raw_contract_doc

summary: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.summary --warehouse $(DBT_DUCKDB_PATH)

# one step after the other, even under make -j
build: data
	$(MAKE) --no-print-directory dbt-build
	$(MAKE) --no-print-directory publish
	$(MAKE) --no-print-directory summary

# N consecutive business days of history (snapshots keyed to as_of), ending on the data's last day.
DAYS ?= 30
simulate: data
	$(BIN)/python -m segwarehouse.tools.simulate --days $(DAYS)

# Roll the history (snapshots, incremental segment state, daily KPIs) back to the end of day TO,
# keeping the days before it: make history-rollback TO=2026-09-28. The runs for TO and later
# are then accepted again (README, "History").
history-rollback: $(STAMP)
	@test -n "$(TO)" || { echo "usage: make history-rollback TO=YYYY-MM-DD"; exit 2; }
	$(BIN)/python -m segwarehouse.tools.history rollback --to '$(TO)' --warehouse '$(DBT_DUCKDB_PATH)'

# The auditor's package of a segment on a past business day (README, "Auditors"):
# audit/<segment>/<date>/ with package.pdf, package.json and the member lists; exit 1 when the
# reproduction from the snapshots differs from segment_history.
audit: $(STAMP) system-deps
	@test -n "$(SEGMENT)" && test -n "$(DATE)" || { echo "usage: make audit SEGMENT=<segment id> DATE=YYYY-MM-DD"; exit 2; }
	$(BIN)/python -m segwarehouse.tools.audit --segment '$(SEGMENT)' --date '$(DATE)' \
		--warehouse '$(DBT_DUCKDB_PATH)' --out audit

# The semantic layer's metrics on the warehouse (README, "Metrics for BI tools"), after a build:
# make metrics METRICS=members,conversion_rate_30d GROUP_BY=segment__segment_id,metric_time__month
# (MF_ARGS: any other option of mf query, e.g. MF_ARGS='--end-time 2026-09-30 --decimals 4').
# dbt parse first writes target/semantic_manifest.json from the YAML as it is now (~4 s).
METRICS ?= members,conversion_rate_30d,average_order_value_30d_usd,absolute_lift
GROUP_BY ?= segment__segment_id,metric_time__day
MF_ARGS ?=
metrics: $(STAMP)
	$(BIN)/dbt parse --quiet
	$(BIN)/mf query --metrics '$(METRICS)' --group-by '$(GROUP_BY)' $(MF_ARGS)

# Benchmarks (bench/results/): make bench SCALE=small|medium|large. Not a test: CI runs `tiny`
# only, to keep the harness working, with one dbt thread (it runs beside the build, and a second
# thread on a shared core only adds CPU).
SCALE ?= small
bench: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.bench --scale $(SCALE)

bench-tiny: $(STAMP)
	$(BIN)/python -m segwarehouse.tools.bench --scale tiny --threads 1 --out bench/work/results

# The Spark target (make spark-deps, spark-smoke): spark.mk
include spark.mk

lint: $(STAMP)
	$(BIN)/ruff check segwarehouse tests
	$(BIN)/ruff format --check segwarehouse tests
	$(BIN)/sqlfluff lint --processes 2 models macros tests analyses snapshots

# Two workers (pytest-xdist): the tests of one session build, or of one module, stay together on
# one worker (tests/python/conftest.py), so no build is made twice.
PYTEST_WORKERS ?= 2
pytest: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=15

# The tests that build no warehouse (macros, generator, registry, pseudonymization, conventions):
# under two minutes, for every change; pre-commit runs them.
test-fast: $(STAMP)
	SEGWAREHOUSE_TEST_FAST=1 $(BIN)/python -m pytest -m "not build and not spark" -q

# The build then lint (the sqlfluff dbt templater compiles models, which reads the raw files and
# the target folder), side by side with bench-tiny (its own data, warehouse and target folder):
# each keeps about one core busy. Their output is kept apart, each printed when it ends.
test:
	$(MAKE) --no-print-directory -j2 --output-sync=target build-then-lint bench-tiny system-deps \
		spark-deps
	$(MAKE) --no-print-directory pytest

build-then-lint: build
	$(MAKE) --no-print-directory lint

clean:
	rm -rf target logs $(DBT_DUCKDB_PATH) $(DBT_DUCKDB_PATH).wal $(DBT_DUCKDB_PATH).tmp \
		$(DBT_IDENTITY_PATH) $(DBT_IDENTITY_PATH).wal $(RAW_DATA_DIR) $(SERVING_DIR)
