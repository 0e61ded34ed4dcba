# The two commands of the README: `make run` (the demo city) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
UV_VERSION := 0.13.9

.PHONY: install run test lint typecheck pytest browser clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@# Bytecode now, as pip would: uv leaves it to the first import, and where
	@# PYTHONDONTWRITEBYTECODE is set (CI images) every command compiled its imports again
	@# (`ektp` started in 2.0 s instead of 0.9 s on a 2-vCPU box).
	$(BIN)/python -m compileall -q -j 0 $(VENV)/lib src >/dev/null
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Start the demo: Palembang 2011 on SQLite, served at http://127.0.0.1:8000
run: install
	$(BIN)/ektp demo

## Lint, type-check and run every test (SQLite and PostgreSQL, browser included)
test: install browser lint typecheck pytest

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: install
	$(BIN)/mypy

pytest: install
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

browser:
	@scripts/ensure-chromium.sh

## Regenerate requirements.lock after changing pyproject.toml
lock: install
	$(BIN)/uv pip compile pyproject.toml --extra dev --quiet --python $(BIN)/python -o requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
