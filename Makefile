# The two commands of the README, plus a few helpers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:
	@echo "make run    - bootstrap, then Odoo 18 with the connectors on http://localhost:8069 (demo database)"
	@echo "make test   - bootstrap, lint, unit tests and Odoo tests on a fresh database"
	@echo "make bench  - throughput, latency and memory on a provider sandbox (PROVIDER=quickbooks|wave|kashoo|reckon; QUICK=1: small)"
	@echo "make chaos  - sync under faults, kills and token expiry, both sides compared (PROVIDER=quickbooks|wave|kashoo|reckon; QUICK=1: small)"
	@echo "make test-odoo ADDONS=a,b - the Odoo tests of some addons only, on database connectors_subset"
	@echo "make lint   - the pre-commit hooks only"
	@echo "make clean  - remove .venv and generated state (.odoo)"

bootstrap:
	@bash tools/bootstrap.sh

run:
	@bash tools/run.sh

test:
	@bash tools/test.sh

bench:
	@bash tools/bench.sh

chaos:
	@bash tools/chaos.sh

test-odoo: bootstrap
	@bash tools/pg.sh
	@bash tools/odoo-test-subset.sh $${TEST_DB:-connectors_subset} $${TEST_HTTP_PORT:-8189} $(ADDONS)

lint: bootstrap
	@bash tools/lint.sh

clean:
	rm -rf .venv .odoo .bench .chaos

.PHONY: help bootstrap run test test-odoo bench chaos lint clean
