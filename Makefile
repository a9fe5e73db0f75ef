# The two commands a new user runs: `make serve` (or `make build`) and `make test`.
# Each creates .venv and installs what it needs; nothing is installed by hand.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
ADDR   ?= 127.0.0.1:8000

.PHONY: serve build test lint validate new browser clean fuzz bench bench-serve soak

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e .
	touch $@

export NO_MKDOCS_2_WARNING := 1

serve: $(STAMP)
	$(BIN)/mkdocs serve --dirty --dev-addr $(ADDR)

build: $(STAMP)
	$(BIN)/mkdocs build --strict

validate: $(STAMP)
	$(BIN)/postmortems validate

# Start a new post-mortem (asks for title, severity, start and services).
new: $(STAMP)
	$(BIN)/postmortems new

# Debian's Chromium for the browser tests; playwright drives it (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium; }

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

# The style the code keeps (pyproject.toml): ruff's checks and its formatting.
lint: $(STAMP)
	$(BIN)/ruff check plugins tests bench hooks.py
	$(BIN)/ruff format --check --quiet plugins tests bench hooks.py

clean:
	rm -rf $(VENV) site .pytest_cache

# 10,000 examples per property: arbitrary YAML and Markdown through every stage.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=10000 $(BIN)/python -m pytest tests/test_fuzz.py -q

# The plugin against plain Material at 1,000 and 5,000 post-mortems (10,000 with BENCH_FULL=1).
bench: $(STAMP)
	$(BIN)/python bench/bench.py

# Save-to-reload and memory of a real `mkdocs serve`, each mode, beside plain Material.
bench-serve: $(STAMP)
	$(BIN)/python bench/serve.py --memory 200

# Hundreds of random edits under `make serve`, each checked against a fresh build; the
# seed is printed, and `make soak SEED=… EDITS=…` repeats a run.
soak: $(STAMP)
	$(BIN)/python tests/serve_soak.py --edits $(or $(EDITS),300) $(if $(SEED),--seed $(SEED))
