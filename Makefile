# The two commands of README.md: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint compose bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/qf serve $(if $(DATA),--data $(DATA))

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

compose: $(STAMP)
	$(BIN)/qf compose

bench: $(STAMP)
	$(BIN)/python bench/registry.py

clean:
	rm -rf $(VENV) .qf-data .pytest_cache .ruff_cache
