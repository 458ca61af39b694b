# The README's two commands. `make run` installs and answers; `make test` installs test deps and tests.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
QUESTION ?= 2023年新增停车泊位目标

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e .

run: install
	$(BIN)/assistant ask "$(QUESTION)"

install-test: install
	$(BIN)/pip install -q -e '.[test,llm]'
	bash scripts/install-browser.sh

test: install-test
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

# The inner loop: no browser, no test marked slow (make test still runs everything).
test-fast:
	$(BIN)/python -m pytest -q -m "not browser and not slow"

.PHONY: install run install-test test test-fast
