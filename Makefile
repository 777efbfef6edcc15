# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench system-deps test-system-deps clean demo-workbook pictures problems

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "sheetbill needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

system-deps:
	@scripts/system-deps.sh run

test-system-deps:
	@scripts/system-deps.sh test

# The demo shop's last three months, a run on the 1st and 15th of each (see README.md).
demo: system-deps $(STAMP)
	$(BIN)/python -m sheetbill.usecases.demo_cycle demo-out

demo-workbook: $(STAMP)
	$(BIN)/python -m sheetbill.usecases.demo sheet_templates/demo.xlsx

lint: $(STAMP)
	$(BIN)/ruff format --check sheetbill tests benchmarks scripts run.py
	$(BIN)/ruff check sheetbill tests benchmarks scripts run.py
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: system-deps test-system-deps $(STAMP) lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider

# The README's pictures (docs/images): a demo invoice and two tabs, drawn anew.
pictures: system-deps test-system-deps $(STAMP)
	$(BIN)/python scripts/readme_pictures.py

# docs/problems.md: every problem code with its meaning and fix, from the registry.
problems: $(STAMP)
	$(BIN)/python scripts/problems_doc.py

bench: system-deps $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) demo-out bench-out test-artifacts .mypy_cache .ruff_cache .pytest_cache
