# Every target sets up what it needs: `make run` and `make test` work on a fresh clone.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Exact versions with hashes of everything `.[dev]` needs; pyproject.toml keeps the ranges.
LOCK := requirements.lock
UV_VERSION := 0.13.9

.PHONY: run test lint lock bench bench-live bench-live-sweep bench-memory eval-fillers eval-fillers-sealed filler-model eval-timing eval-rubric eval-follow-ups eval-structure rubric-model parts-model filler-corpus samples system-deps clean

$(STAMP): pyproject.toml $(LOCK)
	@bash scripts/system_deps.sh
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mock-interview

test: lint
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check src tests scripts
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

# Resolves pyproject.toml again, keeping the locked versions that still fit;
# `make lock LOCK_FLAGS=--upgrade` takes the newest that fit instead.
lock:
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 $(LOCK_FLAGS) -q -o $(LOCK)

bench: $(STAMP)
	$(PY) scripts/bench.py

bench-live: $(STAMP)
	$(PY) scripts/bench_live.py

# stop→report at 20 stopping points of the sample answer (about 35 minutes at real-time pace)
bench-live-sweep: $(STAMP)
	$(PY) scripts/bench_live_sweep.py

bench-memory: $(STAMP)
	$(PY) scripts/bench_memory.py

CORPUS := .cache/filler-corpus/truth.jsonl

$(CORPUS): scripts/make_filler_corpus.py | $(STAMP)
	$(PY) scripts/make_filler_corpus.py

filler-corpus: $(CORPUS)

# Round 7's sealed voices, spoken from sentences written blind (scripts/filler_sentences/):
# generated before any round-7 tuning and scored once, with `make eval-fillers-sealed`.
SEALED_VOICES := en-us+m1,en-gb-x-rp+m5,en-gb-scotland+f1,en-029+m4,en-us-nyc+f4,en-gb-x-gbcwmd+m2,en-gb-x-gbclan+f2,en+m6
SEALED_CORPUS := .cache/filler-corpus-round7/truth.jsonl

$(SEALED_CORPUS): scripts/make_filler_corpus.py scripts/filler_sentences/round7.json | $(STAMP)
	$(PY) scripts/make_filler_corpus.py --out $(dir $@) --seed 7 --voices $(SEALED_VOICES) \
		--sentences scripts/filler_sentences/round7.json

# The learned filler check: trained on tuned-on voices and voices no evaluation scores.
filler-model: $(STAMP) $(CORPUS)
	$(PY) scripts/train_filler_model.py --refresh

eval-fillers: $(STAMP) $(CORPUS)
	$(PY) scripts/eval_fillers.py

eval-fillers-sealed: $(STAMP) $(SEALED_CORPUS)
	$(PY) scripts/eval_fillers.py --corpus $(dir $(SEALED_CORPUS)) --corpus-only

eval-timing: $(STAMP)
	$(PY) scripts/eval_timing.py

# The rubric on the blind corpus's development and test writers and the old cases, then the test
# writers spoken by eSpeak NG through `analyze` (about 7 minutes).
eval-rubric: $(STAMP)
	$(PY) scripts/eval_rubric.py --spoken

eval-follow-ups: $(STAMP)
	$(PY) scripts/eval_follow_ups.py --split test --spoken
	$(PY) scripts/eval_follow_ups.py --split mixed-test --spoken

# The rubric's learned second opinion, trained on the development writers and the old cases only.
rubric-model: $(STAMP)
	$(PY) scripts/train_rubric_model.py

# The STAR timeline's part boundaries on generated answers, every set but the sealed one.
eval-structure: $(STAMP)
	$(PY) scripts/eval_structure.py --set all

# The STAR timeline's sentence model, trained on every set but the sealed one, as written and as
# whisper hears it in up to four voices each (the first run decodes about 700 clips: an hour).
parts-model: $(STAMP)
	$(PY) scripts/train_part_model.py --spoken 4

samples: $(STAMP)
	$(PY) scripts/make_samples.py

system-deps:
	@bash scripts/system_deps.sh

clean:
	rm -rf $(VENV)
