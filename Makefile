# Two commands do all the set-up on a fresh machine (Python 3.11+ as `python3`):
#   make run    create .venv, install, start the bot (or, with no TELEGRAM_BOT_TOKEN, the console)
#   make test   create .venv, install with test extras, run the whole test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test bench calibrate clean

run: $(VENV)/.installed
	$(PY) -m bot

test: $(VENV)/.installed-dev
	$(PY) -m pytest

bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py

calibrate: $(VENV)/.installed
	$(PY) benchmarks/calibrate.py

$(VENV)/.created:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.created
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.created
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
