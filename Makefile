# Two commands: `make demo` and `make test`. Everything is installed from
# requirements.lock (generated from pyproject.toml with `make lock`).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
PYTEST_ARGS ?=

.PHONY: install demo serve test e2e lint format lock messages clean

install: $(STAMP)

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Browser tests: headless Debian Chromium (/usr/bin/chromium) driven by Playwright.
e2e: install
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the lock after editing pyproject.toml (needs network access to PyPI).
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

# Extract and compile the French catalogue (needs gettext). Our overrides of
# Wagtail's own French (locale/overrides) are compiled, never extracted into.
messages: install
	$(BIN)/python manage.py makemessages --locale fr --ignore '.venv/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --locale fr --ignore '.venv/*'

clean:
	rm -rf $(VENV) db.sqlite3 static_collected
