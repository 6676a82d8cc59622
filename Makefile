# Every target sets up what it needs: `make run` and `make test` work on a fresh clone.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench bench-live eval-fillers samples system-deps clean

$(STAMP): pyproject.toml
	@bash scripts/system_deps.sh
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mock-interview

test: $(STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) scripts/bench.py

bench-live: $(STAMP)
	$(PY) scripts/bench_live.py

eval-fillers: $(STAMP)
	$(PY) scripts/eval_fillers.py

samples: $(STAMP)
	$(PY) scripts/make_samples.py

system-deps:
	@bash scripts/system_deps.sh

clean:
	rm -rf $(VENV)
