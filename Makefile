# Two commands for a fresh Debian machine with Python 3.11:
#   make run   install the app and serve it on http://localhost:8501 (this machine only; HOST=0.0.0.0 make run
#              listens on every interface: then name the hosts readers use, ALLOWED_HOSTS="atlas.example.org 192.0.2.7")
#   make test  install the test tools and run the whole test suite (browser tests included)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
HOST   ?= 127.0.0.1
# Host names (besides localhost, 127.0.0.1 and ::1, always allowed) under which the app's websocket accepts readers;
# any other name is refused (DNS rebinding). Space-separated; `*.example.org` matches its subdomains.
ALLOWED_HOSTS ?=
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve audit lock test check test-app test-e2e install install-build install-dev system-deps browser-deps bench data validate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installed from the locks: every package of the tree at the version the tests ran with, checked by its hash
# (requirements*.txt name the direct dependencies; `make lock` writes the locks from them).
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

# What `make data` needs beyond the app (requirements-build.txt: the validator, the gazetteer, ISO codes).
$(VENV)/.installed-build: requirements-build.lock $(VENV)/.installed
	$(BIN)/pip install -q --require-hashes -r requirements-build.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock $(VENV)/.installed $(VENV)-cff/.installed
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

# cffconvert (the tests validate CITATION.cff with it) pins jsonschema < 4, which frictionless needs at 4.x: its own venv.
$(VENV)-cff/.installed: requirements-cff.lock
	$(PYTHON) -m venv $(VENV)-cff
	$(VENV)-cff/bin/pip install -q --require-hashes -r requirements-cff.lock
	touch $@

lock: | $(BIN)/python
	$(BIN)/python -m atlas.build.lock

install: $(VENV)/.installed
install-build: $(VENV)/.installed-build
install-dev: $(VENV)/.installed-dev

# Chromium renders server-side PNG/SVG exports (kaleido) and runs the browser tests;
# Noto CJK gives exported charts real Chinese glyphs; poppler-utils reads the brief's PDF in the tests (pdfinfo,
# pdftotext); the CSL styles (APA, GB/T 7714-2015) render the citations' CSL-JSON in tests/test_cite.py.
# All come from Debian's packages.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! [ -x /usr/sbin/nginx ] || ! command -v pdftotext >/dev/null 2>&1 \
		|| ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || ! [ -f /usr/share/citation-style-language/styles/apa.csl ]; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk nginx \
			poppler-utils citation-style-language-styles; \
	fi

# The browser tests drive Debian's headless shell of the same Chromium (chromium-headless-shell): no browser UI to
# run, so each page load costs less CPU than `chromium --headless=new` (benchmarks/README.md, "Figures the code relies on").
browser-deps: system-deps
	@command -v chromium-headless-shell >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium-headless-shell; }

run: install system-deps
	$(BIN)/streamlit run app.py --server.headless true --server.address $(HOST) --server.port $(PORT) --browser.gatherUsageStats false \
		$(foreach h,localhost 127.0.0.1 ::1 $(ALLOWED_HOSTS),--server.allowedHosts $(h))

# Check every locked version (the whole tree, not only the direct pins) against a real advisory database
# (PyPI's JSON API, which carries the PyPA/OSV advisories). Exits non-zero when a version cannot be checked:
# nothing checked is not "no known vulnerabilities"; the report names each one it could not check.
audit: install
	$(BIN)/python -m atlas.build.audit requirements-dev.lock

# Several processes behind one address: WORKERS app processes behind nginx on PORT (see components/serve.py).
WORKERS ?= 2
serve: install system-deps
	$(BIN)/python -m components.serve --workers $(WORKERS) --port $(PORT) --host $(HOST) $(foreach h,$(ALLOWED_HOSTS),--allowed-host $(h))

# Test tiers (pytest.ini's markers; README "Tests"). `make check` after every edit: no browser, no kaleido, no
# rebuild, no page matrix, two processes. `make test` runs every tier (what CI runs); JUNIT=prefix writes
# prefix-unit.xml and prefix-e2e.xml.
XDIST ?= -n 2
# The browser tier in two processes too, each test file whole in one (its module's server and page state stay
# together): waits on a server, a download or a second browser overlap the other process's drawing, 705 s against
# 942 s on this machine (benchmarks/README.md, "Figures the code relies on").
XDIST_E2E ?= -n 2 --dist loadfile
check: install-dev
	$(BIN)/python -m pytest -m "not app and not e2e" $(XDIST) -q $(PYTEST_ARGS)
test-app: install-dev system-deps
	$(BIN)/python -m pytest -m app $(XDIST) -q $(PYTEST_ARGS)
test-e2e: install-dev browser-deps
	$(BIN)/python -m pytest -m e2e $(XDIST_E2E) $(PYTEST_ARGS)
test: install-dev browser-deps
	$(BIN)/python -m pytest -m "not e2e" $(XDIST) $(PYTEST_ARGS) $(if $(JUNIT),--junitxml=$(JUNIT)-unit.xml)
	$(BIN)/python -m pytest -m e2e $(XDIST_E2E) --walk-languages=en,zh $(PYTEST_ARGS) $(if $(JUNIT),--junitxml=$(JUNIT)-e2e.xml)

bench: install-dev system-deps
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

# Maintainer commands: rebuild data/ from ../shared (boundaries, Wikipedia resolution, package tables, data/README.md; the npm
# tarballs of the boundaries are fetched once into ~/.cache/cooperation-atlas/npm), validate it with frictionless.
data: install-build
	$(BIN)/python -m atlas.build
validate: install-build
	$(BIN)/frictionless validate data/datapackage.json

clean:
	rm -rf $(VENV) $(VENV)-cff .pytest_cache
