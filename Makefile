# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= var

.PHONY: run test install lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

## run: build the synthetic demo city in the embedded store, score it under every shipped scheme, then serve it
run: $(STAMP)
	$(BIN)/socialcredit --data-dir $(DATA) demo
	$(BIN)/socialcredit --data-dir $(DATA) serve --demo-parties

## test: install what the tests need, start PostgreSQL if it is available, run lint and the suite
test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) $(DATA) .pytest_cache
