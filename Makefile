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
	$(BIN)/qf serve $(if $(DATA),--data $(DATA)) $(if $(SAMPLE),--sample)

ORACLE := tests/oracle
ORACLE_STAMP := $(ORACLE)/node_modules/.installed

# Apollo's composition and gateway, the reference the gateway tests compare against; tests that need them
# skip when Node is absent, so this installs them only when npm is there.
$(ORACLE_STAMP): $(ORACLE)/package-lock.json
	@if command -v npm >/dev/null; then \
		cd $(ORACLE) && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	fi

test: $(STAMP) $(ORACLE_STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

compose: $(STAMP)
	$(BIN)/qf compose

bench: $(STAMP)
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/mapping.py
	$(BIN)/python bench/counterparts.py
	$(BIN)/python bench/credits.py
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/portal.py

clean:
	rm -rf $(VENV) .qf-data .pytest_cache .ruff_cache
