# Oversight: the two commands of the README, and what they stand on.
#   make demo   set up everything, load the demo ICS and serve it on http://127.0.0.1:$(PORT)
#   make test   run the whole test suite on SQLite and on PostgreSQL

PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(shell scripts/find-python)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/oversight

.PHONY: demo test setup lint bench clean

$(BIN)/oversight: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Oversight needs Python 3.12 or newer" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

# NHS.UK frontend's stylesheet without its remote fonts (src/oversight/web/assets.py).
node_modules/.oversight/nhsuk/nhsuk-frontend.min.css: $(BIN)/oversight node_modules/.installed src/oversight/web/assets.py
	$(BIN)/python -m oversight.web.assets node_modules

setup: $(BIN)/oversight node_modules/.installed node_modules/.oversight/nhsuk/nhsuk-frontend.min.css

demo: setup
	PORT=$(PORT) $(BIN)/oversight demo --port $(PORT)

test: setup
	scripts/ensure-postgres
	$(BIN)/ruff check src tests bench
	@echo "== SQLite: the whole suite =="
	$(BIN)/pytest -n 2
	@echo "== PostgreSQL: every test that touches the database =="
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest -n 2 -m database

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# The pure benchmarks; bench/README.md says how to run the database and page ones.
bench: setup
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_spc.py
	$(BIN)/python bench/bench_ranking.py

clean:
	rm -rf $(VENV) node_modules var
