# Two commands for a fresh Debian machine with Python 3.11:
#   make run   install the app and serve it on http://localhost:8501 (this machine only; HOST=0.0.0.0 make run
#              listens on every interface: then list the host names in .streamlit/config.toml's server.allowedHosts)
#   make test  install the test tools and run the whole test suite (browser tests included)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
HOST   ?= 127.0.0.1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve audit test check test-app test-e2e install install-dev system-deps bench data validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Chromium renders server-side PNG/SVG exports (kaleido) and runs the browser tests;
# Noto CJK gives exported charts real Chinese glyphs. Both come from Debian's packages.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! [ -x /usr/sbin/nginx ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk nginx; \
	fi

run: install system-deps
	$(BIN)/streamlit run app.py --server.headless true --server.address $(HOST) --server.port $(PORT) --browser.gatherUsageStats false

# Check the pinned versions against a real advisory database (PyPI's JSON API, which carries the PyPA/OSV
# advisories; OSV.dev as the fallback). Exits non-zero when neither can be reached: nothing checked is not
# "no known vulnerabilities".
audit: install
	$(BIN)/python -m atlas.build.audit requirements.txt requirements-dev.txt

# Several processes behind one address: WORKERS app processes behind nginx on PORT (see components/serve.py).
WORKERS ?= 2
serve: install system-deps
	$(BIN)/python -m components.serve --workers $(WORKERS) --port $(PORT) --host $(HOST)

# Test tiers (pytest.ini's markers; README "Tests"). `make check` after every edit: no browser, no kaleido, no
# rebuild, no page matrix, two processes. `make test` runs every tier (what CI runs); JUNIT=prefix writes
# prefix-unit.xml and prefix-e2e.xml.
XDIST ?= -n 2
check: install-dev
	$(BIN)/python -m pytest -m "not app and not e2e" $(XDIST) -q $(PYTEST_ARGS)
test-app: install-dev system-deps
	$(BIN)/python -m pytest -m app $(XDIST) -q $(PYTEST_ARGS)
test-e2e: install-dev system-deps
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS)
test: install-dev system-deps
	$(BIN)/python -m pytest -m "not e2e" $(XDIST) $(PYTEST_ARGS) $(if $(JUNIT),--junitxml=$(JUNIT)-unit.xml)
	$(BIN)/python -m pytest -m e2e $(PYTEST_ARGS) $(if $(JUNIT),--junitxml=$(JUNIT)-e2e.xml)

bench: install-dev system-deps
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Maintainer commands: rebuild data/ from ../shared (boundaries, Wikipedia resolution, package tables, data/README.md; the npm
# tarballs of the boundaries are fetched once into ~/.cache/cooperation-atlas/npm), validate it with frictionless.
data: install
	$(BIN)/python -m atlas.build
validate: install
	$(BIN)/frictionless validate data/datapackage.json

clean:
	rm -rf $(VENV) .pytest_cache
