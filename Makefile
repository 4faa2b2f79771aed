# Two commands on a fresh machine: `make demo` and `make test`. Both set up .venv first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-16)
CODE := analysis charts render sources store delivery demo bench devtools tests generate.py \
	cli.py daily.py pipeline.py models.py errors.py indicators.py settings.py values.py datasets.py

.PHONY: demo test lint typecheck setup bench snapshot clean

demo: $(STAMP)
	$(PY) generate.py

test: $(STAMP) lint typecheck
	@scripts/ensure-system-libs --browser
	$(PY) -m pytest -n 2 -q

setup: $(STAMP)

$(STAMP): requirements.lock
	@scripts/ensure-system-libs
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $@

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy $(CODE)

bench: $(STAMP)
	$(PY) -m bench.brief

snapshot: $(STAMP)
	$(PY) -m demo

# Re-pin after editing pyproject.toml (needs uv: pip install uv).
lock:
	uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf output/*/ .mypy_cache .ruff_cache .pytest_cache
