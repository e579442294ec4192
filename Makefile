# sollab — `make lab` opens the lab, `make test` runs the whole suite; both set everything up first.
# Every target is idempotent: a second run skips what is already installed and up to date.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PY_STAMP   := $(VENV)/.sollab-installed
NODE_STAMP := node_modules/.sollab-installed
# Dev nodes only the tests use (Ganache): installed by `make test`, not by `make lab`.
DEVNODES     := tests/js/devnodes
DEVNODES_STAMP := $(DEVNODES)/node_modules/.sollab-installed
KERNEL     := $(VENV)/share/jupyter/kernels/sollab/kernel.json
LAB_PORT ?= 8888
LAB_ARGS ?=
# Jupyter refuses to run as root unless told; CI and containers run as root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: one per logical CPU ("logical"), or a number.
# PYTEST_ARGS="-n 0 ..." runs in one process (the last -n wins).
PYTEST_WORKERS ?= logical

.DEFAULT_GOAL := help
.PHONY: help setup system-packages lab hub release test lint format bench doctor lock clean

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup: $(PY_STAMP) $(NODE_STAMP) $(KERNEL) system-packages ## Build .venv/ (requirements.lock), node_modules/ (package-lock.json), the sollab kernel
	@echo "==> set-up complete (.venv/bin/sollab doctor checks every piece)"

# Debian packages features need: bubblewrap (the sandbox `sollab grade` runs submissions in),
# chromium (the headless browser the exported dApp page is tested in, driven by playwright-core).
# Installed when running as root with apt (as CI does); otherwise the one command is printed.
# `make setup SYSTEM_PACKAGES=bubblewrap` leaves the browser out (the Dockerfile's lab image does).
SYSTEM_PACKAGES := bubblewrap chromium
SYSTEM_COMMANDS = $(patsubst bubblewrap,bwrap,$(SYSTEM_PACKAGES))
system-packages:
	@missing=0; for cmd in $(SYSTEM_COMMANDS); do command -v $$cmd >/dev/null 2>&1 || missing=1; done; \
	[ $$missing = 0 ] && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "==> Debian packages: $(SYSTEM_PACKAGES)"; \
	  apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null 2>&1 || \
	  { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q $(SYSTEM_PACKAGES) >/dev/null; } || \
	  echo "Warning: could not install $(SYSTEM_PACKAGES); sollab grade will run without a sandbox (bubblewrap) and the dApp page test needs chromium"; \
	else \
	  echo "Note: sollab grade sandboxes submissions with bubblewrap, the dApp page test needs chromium; install them with: sudo apt-get install $(SYSTEM_PACKAGES)"; \
	fi

$(PY_STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
	  echo "Error: sollab needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1). Try: make setup PYTHON=python3.11"; exit 1; }
	@echo "==> [1/2] Python environment in $(VENV)/ (pinned by requirements.lock)"
	@# (Re)build the venv when it is missing or was made by another Python than $(PYTHON).
	@[ "$$($(PY) -c 'import sys; print(sys.version)' 2>/dev/null)" = "$$($(PYTHON) -c 'import sys; print(sys.version)')" ] || { \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@$(PY) -m pip install --disable-pip-version-check --progress-bar on --require-hashes -r requirements.lock
	@$(PY) -m pip install --disable-pip-version-check --quiet --no-deps --no-build-isolation -e .
	@touch $@

$(KERNEL): src/sollab/kernel.py $(PY_STAMP)
	@$(PY) -m sollab.kernel

$(NODE_STAMP): package.json package-lock.json | $(PY_STAMP)
	@echo "==> [2/2] Node side in node_modules/ (solc-js compilers, OpenZeppelin; pinned by package-lock.json)"
	@$(PY) -m sollab.node npm ci --no-audit --no-fund --progress=true
	@touch $@

# Jupyter apps started here read jupyter_config.py (the course, nbgrader's Solidity stubs) and
# find the venv's tools (nbgrader runs `alembic` from PATH).
JUPYTER_ENV := JUPYTER_CONFIG_PATH=$(CURDIR) PATH=$(CURDIR)/$(VENV)/bin:$$PATH

lab: setup ## Set everything up and open JupyterLab on lessons/
	$(JUPYTER_ENV) $(VENV)/bin/jupyter lab --ServerApp.root_dir=lessons --ServerApp.port=$(LAB_PORT) \
	  $(ROOT_FLAG) $(LAB_ARGS)

# A class on JupyterHub (deploy/jupyterhub/): its HTTP proxy comes from npm, pinned by its own
# package-lock.json; installed by `make hub` and `make test`, not by `make lab`.
HUB_DIR   := deploy/jupyterhub
HUB_STAMP := $(HUB_DIR)/node_modules/.sollab-installed
HUB_ARGS  ?=

$(HUB_STAMP): $(HUB_DIR)/package.json $(HUB_DIR)/package-lock.json | $(PY_STAMP)
	@echo "==> JupyterHub's proxy in $(HUB_DIR)/node_modules/ (configurable-http-proxy; pinned by its package-lock.json)"
	@$(PY) -m sollab.node npm ci --prefix $(HUB_DIR) --ignore-scripts --no-audit --no-fund --progress=true
	@touch $@

hub: setup $(HUB_STAMP) ## Start a class on JupyterHub at http://127.0.0.1:8000/ (deploy/jupyterhub/README.md)
	$(JUPYTER_ENV) $(VENV)/bin/jupyterhub -f $(HUB_DIR)/jupyterhub_config.py $(HUB_ARGS)

release: setup ## Regenerate lessons/ from the instructor notebooks in solutions/ (nbgrader)
	@for dir in solutions/*/; do \
	  lesson=$$(basename $$dir); \
	  ls $$dir*.ipynb >/dev/null 2>&1 || continue; \
	  echo "==> $$lesson"; \
	  $(JUPYTER_ENV) $(VENV)/bin/nbgrader generate_assignment $$lesson --force || exit 1; \
	done

$(DEVNODES_STAMP): $(DEVNODES)/package.json $(DEVNODES)/package-lock.json | $(PY_STAMP)
	@echo "==> test-only dev nodes in $(DEVNODES)/node_modules/ (Ganache; pinned by its package-lock.json)"
	@$(PY) -m sollab.node npm ci --prefix $(DEVNODES) --ignore-scripts --no-audit --no-fund --progress=true
	@touch $@

test: setup $(DEVNODES_STAMP) $(HUB_STAMP) ## Set everything up and run the whole test suite (lint, format check, pytest on every core)
	@echo "==> ruff"
	@$(VENV)/bin/ruff check src tests benchmarks graders jupyter_config.py deploy
	@$(VENV)/bin/ruff format --check src tests benchmarks graders jupyter_config.py deploy
	@echo "==> pytest"
	@$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: setup ## Lint with ruff
	$(VENV)/bin/ruff check src tests benchmarks graders jupyter_config.py deploy

format: setup ## Format with ruff
	$(VENV)/bin/ruff format src tests benchmarks graders jupyter_config.py deploy
	$(VENV)/bin/ruff check --fix src tests benchmarks graders jupyter_config.py deploy

bench: setup ## Run the compile-and-deploy benchmark
	$(PY) benchmarks/compile_and_deploy.py

doctor: setup ## Check every piece of the lab
	$(VENV)/bin/sollab doctor

lock: setup ## Re-pin Python dependencies (requirements.lock) after editing pyproject.toml
	$(VENV)/bin/pip-compile --allow-unsafe --constraint=requirements.constraints --extra=dev \
	  --generate-hashes --no-emit-find-links --no-emit-index-url --strip-extras \
	  --output-file=requirements.lock pyproject.toml

clean: ## Remove .venv/, node_modules/ and caches
	rm -rf $(VENV) node_modules $(HUB_DIR)/node_modules .sollab .pytest_cache .ruff_cache
