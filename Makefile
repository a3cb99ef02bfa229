# IEX Support Assistant. `make run` and `make test` each work alone on a fresh clone.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed
REPORTS := reports
# Rasa would try to send usage data; this machine and CI have no such network.
export RASA_TELEMETRY_ENABLED := false

.DEFAULT_GOAL := help
# SCALED=1: user, purge, export-customer, forget-customer and tickets-* work on the stores of
# make run-scaled, in its PostgreSQL (which must be running), instead of the SQLite files.
# Asked once; without it these commands would quietly work on the SQLite files instead.
ifeq ($(SCALED),1)
export IEX_DATABASE_URL := $(shell $(PYTHON) -m bot.supervisor database-url 2>/dev/null)
ifeq ($(IEX_DATABASE_URL),)
$(error SCALED=1: '$(PYTHON) -m bot.supervisor database-url' gave no database URL; run make install first)
endif
endif
.PHONY: help install browser run run-scaled user shell train train-force validate test test-js test-stories nlu-gate eval lint clean
.PHONY: screenshots
.PHONY: purge export-customer forget-customer

help: ## List the make targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(INSTALLED): requirements.txt requirements.lock scripts/find_python.sh
	@test -x $(PYTHON) || { interpreter=$$(scripts/find_python.sh) && "$$interpreter" -m venv $(VENV); }
	$(PYTHON) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c requirements.lock
	@touch $@

install: $(INSTALLED) ## Create the virtualenv and install the pinned dependencies

# The browser tests drive Debian's chromium (no browser download at test time).
CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(CHROMIUM):
	@echo "Installing Debian's chromium for the browser tests"
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver >/dev/null

browser: $(CHROMIUM) ## Install Debian's chromium for the browser tests (needs root or sudo)

train: install ## Train a model, unless the newest one matches data/, domain.yml and config.yml
	$(PYTHON) scripts/train_if_needed.py

train-force: install ## Train a model even if the newest one is up to date
	$(PYTHON) scripts/train_if_needed.py --force

validate: install ## Check training data, domain and help articles
	$(RASA) data validate --domain domain.yml --data data --config config.yml --fail-on-warnings
	$(PYTHON) scripts/check_articles.py data/articles

run: train ## Start Rasa, the action server and the web app (chat at http://localhost:8080)
	$(PYTHON) -m bot.supervisor run

run-scaled: train ## The same on PostgreSQL, Redis and several Rasa and action workers
	$(PYTHON) -m bot.supervisor run --scaled

user: install ## Create a staff login for the support inbox: make user NAME=you@iex.dk
	@test -n "$(NAME)" || { echo "usage: make user NAME=you@iex.dk" >&2; exit 2; }
	$(PYTHON) -m bot.staff create "$(NAME)"

purge: install ## Delete conversations, closed tickets and delivered outbox items older than DAYS: make purge DAYS=90 [DRY_RUN=1]
	$(PYTHON) -m bot.data_protection purge $(if $(DAYS),--days "$(DAYS)") $(if $(filter 1,$(DRY_RUN)),--dry-run)

export-customer: install ## Everything stored about one customer as JSON: make export-customer EMAIL=... [OUT=file]
	@test -n "$(EMAIL)" || { echo "usage: make export-customer EMAIL=kunde@webshop.dk [OUT=file.json]" >&2; exit 2; }
	$(PYTHON) -m bot.data_protection export --email "$(EMAIL)" $(if $(OUT),--out "$(OUT)")

forget-customer: install ## Delete everything stored about one customer: make forget-customer EMAIL=... [YES=1]
	@test -n "$(EMAIL)" || { echo "usage: make forget-customer EMAIL=kunde@webshop.dk [YES=1]" >&2; exit 2; }
	$(PYTHON) -m bot.data_protection forget --email "$(EMAIL)" $(if $(filter 1,$(YES)),--yes)

.PHONY: tickets-failed tickets-retry
tickets-failed: install ## List tickets the helpdesk refused, and whether delivery is paused
	$(PYTHON) -m actions.delivery failed

tickets-retry: install ## Send failed tickets again: make tickets-retry REF=IEX-... or ALL=1
	@test -n "$(REF)$(ALL)" || { echo "usage: make tickets-retry REF=IEX-20261127-4F7KQ2 | ALL=1" >&2; exit 2; }
	$(PYTHON) -m actions.delivery retry $(if $(ALL),--all,"$(REF)")

shell: train ## Chat with the assistant in the terminal
	$(PYTHON) -m bot.supervisor shell

test: validate train browser ## Every test: unit, end-to-end, browser, quality gates, test stories
	$(MAKE) --no-print-directory test-js
	$(PYTHON) -m pytest
	$(MAKE) --no-print-directory test-stories
	$(MAKE) --no-print-directory nlu-gate

test-js: ## Unit tests of the chat widget's JavaScript modules (node's own test runner, a second)
	node --test tests/widget/

# The browser tests write their screenshots to reports/ (git-ignored, every run); the README
# links the copies in docs/screenshots, refreshed here.
screenshots: train browser ## Refresh the screenshots in docs/screenshots from the browser tests
	$(PYTHON) -m pytest -q tests/e2e/test_widget_browser.py tests/e2e/test_inbox_browser.py
	mkdir -p docs/screenshots
	cp $(REPORTS)/screenshots/*.png docs/screenshots/

test-stories: train ## Check the test stories against the trained model
	$(RASA) test core --stories tests/stories --model models --out $(REPORTS)/stories \
		--fail-on-prediction-errors

nlu-gate: install ## 3-fold NLU cross-validation (fixed folds); fails below the macro-F1 gate
	$(PYTHON) -m evaluation.cross_validation --out $(REPORTS)/nlu
	$(PYTHON) -m evaluation.gates nlu $(REPORTS)/nlu

eval: train ## Every quality report: NLU cross-validation, dialogue set, articles (in reports/)
	-$(MAKE) --no-print-directory nlu-gate
	$(PYTHON) scripts/evaluate_articles.py
	$(PYTHON) scripts/evaluate_articles.py --language da
	$(PYTHON) -m evaluation.articles_in_chat
	$(PYTHON) -m evaluation.articles_in_chat --set tests/data/article_queries_da.yml \
		--out $(REPORTS)/article_chat_da.json
	$(PYTHON) -m evaluation.dialogue
	$(PYTHON) -m evaluation.dialogue --set tests/data/dialogue_eval_da.yml \
		--out $(REPORTS)/dialogue_eval_da.json

lint: install ## Check the code with ruff
	$(VENV)/bin/ruff check actions bot evaluation nlu_components rasa_sdk_plugins scripts storage support_core tests tickets

clean: ## Remove trained models, reports and runtime state (keeps the virtualenv)
	rm -rf models/*.tar.gz $(REPORTS) results var

.PHONY: bench
bench: train ## Load benchmark beside Rasa's starter bot: make bench [MODES=run,starter] [BENCH_QUICK=1]
	$(PYTHON) -m evaluation.bench $(if $(MODES),--modes "$(MODES)") \
		$(if $(filter 1,$(BENCH_QUICK)),--quick) $(if $(BENCH_SECONDS),--seconds "$(BENCH_SECONDS)")
