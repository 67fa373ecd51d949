# The README's two commands: `make demo` and `make test`. Both bootstrap what they need on a fresh
# machine: a .venv with the Python packages (torch's CPU build first, so nothing pulls a CUDA build)
# and Debian's Tesseract with English and Spanish, Chromium and a font (for the page tests).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | sha256sum | cut -c1-12)
# Test processes side by side (pytest-xdist; each has its own embedded PostgreSQL). Two fit CI's
# two cores; a test module stays in one process so its module fixtures are built once, and modules
# are handed out in tests/conftest.py's order (longest first), not by their number of tests.
TEST_WORKERS ?= 2
APT_PACKAGES := tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa chromium fonts-dejavu-core

.PHONY: demo test lint deps system-deps constraints clean-venv

demo: deps
	$(BIN)/handoff demo

test: deps lint
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

# ruff (pyflakes, bugbear, docstrings of public functions) and mypy (strict on models/ and store/);
# their rule sets, and why, are in pyproject.toml.
lint: deps
	$(BIN)/ruff check .
	$(BIN)/mypy

deps: $(STAMP) system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs exactly constraints.txt's versions (the set the tests passed with), never "the newest".
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

system-deps:
	@if command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx spa \
	    && tesseract --list-langs 2>/dev/null | grep -qx eng && command -v chromium >/dev/null 2>&1 \
	    && [ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing $(APT_PACKAGES)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	else \
	    echo "Handoff needs Tesseract with English and Spanish, and Chromium for the page tests. Install them with:"; \
	    echo "  sudo apt-get install -y $(APT_PACKAGES)"; \
	    exit 1; \
	fi

# Refresh constraints.txt on purpose: after a deliberate upgrade in .venv and a green `make test`.
constraints: deps
	$(BIN)/python .ci/freeze_constraints.py

clean-venv:
	rm -rf $(VENV)
