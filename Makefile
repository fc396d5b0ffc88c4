# The two set-up commands of the README: `make demo` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip 25.3 and later write console-script wrappers that no longer import `re`, which a cached
# `aws-gitpod creds` would otherwise pay for on every AWS call.
PIP_MIN := pip>=25.3
# A path entry, not setuptools' default import hook: the hook costs every Python start in the venv about
# 30 ms (it imports pathlib), which would dwarf a cached `aws-gitpod creds` and slow every test subprocess.
EDITABLE := --config-settings editable_mode=compat

.PHONY: demo test lint typecheck unit suite clean system-deps node-deps dist

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "$(PIP_MIN)"

$(VENV)/.demo-installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet $(EDITABLE) -e '.[testbed,awscli]'
	touch $@

$(VENV)/.test-installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet $(EDITABLE) -e '.[test]'
	touch $@ $(VENV)/.demo-installed

$(VENV)/.dist-installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet $(EDITABLE) -e '.[dist]'
	touch $@

demo: $(VENV)/.demo-installed
	$(BIN)/python -m awscli_gitpod.testing.demo

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

# The AWS CLI v2 the plugin tests run: Debian's `awscli` package (the PyPI `awscli` in the venv is v1);
# zsh and fish, whose completion scripts the tests run.
system-deps:
	@if [ ! -x /usr/bin/aws ] || [ ! -x /usr/bin/zsh ] || [ ! -x /usr/bin/fish ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq awscli zsh fish >/dev/null; \
		else \
			echo "note: Debian's awscli (AWS CLI v2), zsh or fish is missing: their tests will be skipped"; \
		fi; \
	fi

# The AWS SDK for JavaScript v3 that tests/test_exec_node.py runs as a child of `aws-gitpod exec`, exactly
# as tests/node/package-lock.json pins it, installed once into the git-ignored tests/node/node_modules.
# Without npm that test is skipped.
NODE_DEPS := tests/node/node_modules/.package-lock.json

$(NODE_DEPS): tests/node/package.json tests/node/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/node --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "note: npm is missing: the Node.js AWS SDK test will be skipped"; \
	fi

node-deps: $(NODE_DEPS)

# Everything but the end-to-end tests (those that run real programs against the test bed): seconds, not
# minutes, for the edit-test loop.
unit: $(VENV)/.test-installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

# The whole suite, end-to-end tests included.
suite: $(VENV)/.test-installed system-deps node-deps
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

test: lint typecheck suite

# The sdist and the wheel in dist/, checked: metadata (twine), the wheel's contents, and its console script
# from a fresh pipx install (dependencies come from the package index).
dist: $(VENV)/.dist-installed
	rm -rf dist build
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*
	$(BIN)/python tests/dist_check.py dist

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache tests/node/node_modules
