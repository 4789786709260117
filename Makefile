# Every target sets itself up from nothing: a fresh clone needs only Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.address 0.0.0.0 --server.port 8501 --browser.gatherUsageStats false

# Two steps: the tests without a browser on two processes, then the browser tests alone on
# the machine (on two processes beside other tests they missed their waits; ARCHITECTURE.md).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -m "not e2e"
	$(BIN)/python -m pytest -m e2e

# The inner loop: lint, the import contracts and every test but the browser ones and the
# benchmark commands' smoke tests.
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 -m "not e2e and not bench"

# The CPU figures of bench/RESULTS.md at the defaults a teacher gets (several minutes on a laptop).
bench: $(STAMP)
	$(BIN)/python -m bench.engine --arch sdxs --device cpu --size 384 --steps 1 --vae tiny --runtime openvino --prompts 8 --batch 8
	$(BIN)/python -m bench.app

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV)
