# The two commands of the README, plus a few helpers.
SHELL := /bin/bash
.DEFAULT_GOAL := help

help:
	@echo "make run    - bootstrap, then Odoo 18 with the connectors on http://localhost:8069 (demo database)"
	@echo "make test   - bootstrap, lint, unit tests and Odoo tests on a fresh database"
	@echo "make bench  - throughput, latency and memory on the QuickBooks sandbox (QUICK=1: small)"
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

lint: bootstrap
	@bash tools/lint.sh

clean:
	rm -rf .venv .odoo .bench

.PHONY: help bootstrap run test bench lint clean
