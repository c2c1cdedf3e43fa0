# arguard — two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK=1

.PHONY: demo test venv dev browser bench lint clean

# The virtual environment must be this checkout's own. One that came from elsewhere (copied, or committed
# by mistake: its scripts then start with another path's python) is rebuilt from scratch.
$(VENV)/.home:
	@if [ "$$(head -n 1 $(BIN)/pip 2>/dev/null)" != "#!$(CURDIR)/$(BIN)/python3" ] \
	    || ! $(BIN)/python -c "import sys" 2>/dev/null; then \
	  echo "creating $(VENV)"; rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); fi
	@touch $@

$(VENV)/.installed: pyproject.toml | $(VENV)/.home
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/.home
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
dev: $(VENV)/.installed-dev

# Debian's chromium drives the dashboard tests; fonts-noto-cjk lets it (and screenshots) show 中文.
# Installed once, from the distribution's packages.
BROWSER_PKGS := chromium fonts-noto-cjk
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk"; then \
	  echo "installing Debian's $(BROWSER_PKGS) for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PKGS) >/dev/null; \
	fi

demo: venv
	$(BIN)/arguard demo
	$(BIN)/arguard serve

test: dev browser
	$(BIN)/pytest -n 2 --dist loadfile

bench: dev
	$(BIN)/python -m bench

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) var .pytest_cache .hypothesis
