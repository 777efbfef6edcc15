# Two commands for a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_BOOK := demo-out/northwind-demo.xlsx
DEMO_AS_OF := 2026-11-02

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

demo: system-deps $(STAMP)
	@mkdir -p demo-out
	cp sheet_templates/demo.xlsx $(DEMO_BOOK)
	@rm -f demo-out/northwind-demo.sheetbill.sqlite*
	@printf '# Written by make demo: rerun by hand with\n#   .venv/bin/sheetbill run $(DEMO_BOOK) --as-of $(DEMO_AS_OF)\nsource = "northwind-demo.xlsx"\nbackups = 5\n' > demo-out/sheetbill.toml
	@$(BIN)/sheetbill run $(DEMO_BOOK) --as-of $(DEMO_AS_OF); code=$$?; \
		if [ $$code -gt 1 ]; then exit $$code; fi
	@echo
	@echo "Done. Open $(DEMO_BOOK): see the Invoices, Invoice Lines, Exceptions and Log tabs."
	@echo "Run it again by hand (nothing changes the second time):"
	@echo "  $(BIN)/sheetbill run $(DEMO_BOOK) --as-of $(DEMO_AS_OF)"

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
