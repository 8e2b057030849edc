# The one list of what a developer runs. `make run` and `make test` bootstrap everything first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SASS := node_modules/.bin/sass
CSS := static/build/application.css
export IOM_DEVELOPMENT ?= 1

.PHONY: help bootstrap run test lint format requirements assets clean benchmark mutation-check

help:
	@echo "make run           run the application on http://127.0.0.1:8000 with demo data"
	@echo "make test          run the whole test suite (browser tests included), in parallel"
	@echo "make mutation-check break the sharing rules on purpose, one way at a time, and show the tests catch each (MUTATIONS=word)"
	@echo "make lint          ruff, mypy, the import contracts, migrations and deployment checks"
	@echo "make format        format the code with ruff"
	@echo "make requirements  re-pin Python dependencies (hashed) after editing requirements/*.in"
	@echo "make clean         remove the virtualenv, npm packages, built assets and local data"
	@echo "make benchmark     time the people list, records, the cohort list and the reminder sweeps on 20,000 invented people (BENCHMARK_ARGS=...)"

bootstrap: $(VENV)/.installed node_modules/.installed $(CSS)

$(VENV)/.installed: requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(CSS): static/scss/application.scss node_modules/.installed
	$(SASS) --pkg-importer=node --load-path=. --style=compressed --no-source-map --quiet-deps $< $@

assets: $(CSS)

run: bootstrap
	$(PY) -m demo.local run

test: bootstrap
	$(PY) -m demo.local test $(PYTEST_ARGS)

# Each deliberate break of the sharing rules in tests/mutation_check.py must make the tests fail.
mutation-check: bootstrap
	$(PY) -m tests.mutation_check $(MUTATIONS)

lint: bootstrap
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DATABASE_URL=$${DATABASE_URL:-postgres://unused@localhost/unused} $(PY) -m mypy .
	$(VENV)/bin/lint-imports
	$(PY) -m demo.local manage makemigrations --check --dry-run
	IOM_DEVELOPMENT=0 DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_ALLOWED_HOSTS=iom.example DATABASE_URL=postgres://unused@localhost/unused REDIS_URL=redis://localhost:6379/0 \
	  $(PY) manage.py check --deploy --fail-level WARNING

format: $(VENV)/.installed
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

requirements: $(VENV)/.installed
	$(PY) -m uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header requirements/base.in -o requirements/base.txt
	$(PY) -m uv pip compile --quiet --universal --python-version 3.11 --generate-hashes --no-header requirements/dev.in -o requirements/dev.txt

clean:
	rm -rf $(VENV) node_modules static/build staticfiles .data

# Speed is measured here, never by timed tests (README, "Benchmark"). Fails if a partner's people
# list takes more than twice a system admin's. Best with DATABASE_URL pointing at a database of its own.
benchmark: bootstrap
	$(PY) -m demo.local manage benchmark $(BENCHMARK_ARGS)
