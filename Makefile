# 镇街权责助手 — every job of the project. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
BUILD   := build
MODEL   := models/current.tar.gz
export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

TRAIN_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(BUILD)/nlu/lookups.yml $(BUILD)/nlu/examples.yml $(BUILD)/jieba/userdict.txt $(BUILD)/asr/vocabulary.txt
KB_INPUTS    := $(shell find knowledge -type f 2>/dev/null) $(wildcard bot/kb/*.py)

# Python 3.10 (Rasa 3.6 needs < 3.11): python3.10 on PATH, else pyenv's 3.10.
define find_python
for c in python3.10 "$$(pyenv root 2>/dev/null)"/versions/3.10*/bin/python3.10 "$$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/bin/python3.10; do \
  if [ -x "$$(command -v "$$c" 2>/dev/null)" ] && "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then echo "$$c"; exit 0; fi; \
done; \
echo "找不到 Python 3.10。请安装 python3.10（Debian/Ubuntu: apt-get install python3.10 python3.10-venv；或 pyenv install 3.10）后重试。" >&2; exit 1
endef

.PHONY: help
help: ## List the jobs
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.lock
	@py=$$($(find_python)) || exit 1; \
	  [ -x $(PY) ] || { echo "创建虚拟环境：$$py"; $$py -m venv $(VENV); }
	$(PY) -m pip install -q --upgrade 'pip==24.2'
	$(PY) -m pip install -q -r requirements.lock
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv and install the pinned dependencies

$(BUILD)/kb.stamp: $(VENV)/.installed $(KB_INPUTS)
	$(PY) -m bot.kb build
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/lexicon.stamp: $(BUILD)/kb.stamp
	$(PY) -m bot.kb lexicon
	@touch $@

$(BUILD)/nlu/lookups.yml $(BUILD)/jieba/userdict.txt $(BUILD)/asr/vocabulary.txt: $(BUILD)/lexicon.stamp

# Intent examples generated from the knowledge base (bot/nlu/examples.py).
$(BUILD)/nlu/examples.yml: $(BUILD)/lexicon.stamp bot/nlu/examples.py
	$(PY) -m bot.nlu.examples
	@touch $@

.PHONY: kb
kb: $(BUILD)/lexicon.stamp ## Build the knowledge base and the generated lexicon

.PHONY: import
import: $(VENV)/.installed ## Import an official list: make import FILE=清单.xlsx ARGS="--unit-kind town [--dry-run]"
	@[ -n "$(FILE)" ] || { echo "用法：make import FILE=清单.xlsx|清单.csv [ARGS='--unit-kind town|--unit 天河区石牌街道 --dry-run --name NAME']" >&2; exit 2; }
	$(PY) -m bot.kb import "$(FILE)" $(ARGS)

$(MODEL): $(TRAIN_INPUTS) | $(BUILD)/lexicon.stamp
	@echo "训练模型（训练数据、配置、领域或词典有变化）…"
	$(RASA) train --data data $(BUILD)/nlu --config config.yml --domain domain.yml \
	  --out models --fixed-model-name current
	@touch $@

.PHONY: setup
setup: $(BUILD)/lexicon.stamp $(MODEL) ## Install, build the knowledge base, train when inputs changed

.PHONY: run
run: setup ## Start the action server (:5055), Rasa (REST, :5005) and the web widget (:8080); Ctrl-C stops all
	$(PY) -m bot serve

.PHONY: shell
shell: setup ## Chat in the terminal (starts the servers when needed)
	$(PY) -m bot shell

# Debian's Chromium for the browser tests: Playwright drives it and never downloads a browser.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
define apt_install
if command -v apt-get >/dev/null 2>&1; then \
  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $(1); \
else \
  echo "没有 apt-get，无法自动安装 $(1)：请用系统的包管理器安装后重试（浏览器测试需要 /usr/bin/chromium）。" >&2; exit 1; \
fi
endef

.PHONY: browser
browser: ## Install Debian's chromium for the browser tests (when missing)
	@command -v chromium >/dev/null 2>&1 || { echo "安装 Chromium（浏览器测试用）…"; $(call apt_install,chromium); }

.PHONY: screenshots
screenshots: setup browser ## Retake the widget and console screenshots in docs/screenshots/ (installs CJK fonts when missing)
	@fc-list 2>/dev/null | grep -qi 'cjk' || { echo "安装中文字体…"; $(call apt_install,fonts-noto-cjk); }
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/web -q -k "screenshots or console_kb"

CHECKED := bot actions tests

.PHONY: lint
lint: $(VENV)/.installed ## Check style with ruff (lint rules and formatting) over bot/, actions/ and tests/
	@status=0; \
	  $(PY) -m ruff check $(CHECKED) || status=1; \
	  $(PY) -m ruff format --check $(CHECKED) || status=1; \
	  exit $$status

.PHONY: types
types: $(VENV)/.installed ## Type-check bot/ and actions/ with mypy (settings in pyproject.toml)
	$(PY) -m mypy bot actions

# lint and types first: they take seconds and fail before the model is trained.
# services-if-possible: local PostgreSQL, Redis and nginx for tests/cluster, when this machine lets
# us install and start them; otherwise those tests are skipped and pytest (-ra) says why.
.PHONY: test
test: lint types setup browser services-if-possible ## Run lint, types and the whole suite: unit, action, end-to-end, browser, cluster, data validation, test stories
	$(RASA) data validate --data data $(BUILD)/nlu --config config.yml --domain domain.yml --fail-on-warnings
	$(PY) -m pytest
	ACTION_SERVER_URL=http://127.0.0.1:9/unused ACTION_SERVER_TOKEN=unused \
	  $(RASA) test core --stories tests/stories --model $(MODEL) --endpoints endpoints.yml \
	  --fail-on-prediction-errors --out $(BUILD)/results/core

.PHONY: eval
eval: setup ## Evaluate (NLU cross-validation, QA over REST, baselines) -> reports/eval.md, eval.json
	$(PY) -m bot.evaluation eval

.PHONY: bench
bench: setup services-if-possible ## Benchmark (latency, throughput, memory, training, matcher scale; 1 vs 2 replicas) -> reports/bench*.md, .json
	$(PY) -m bot.evaluation bench
	$(PY) -m bot.evaluation.bench_cluster

.PHONY: lock
lock: ## Re-pin requirements.lock from the current .venv
	$(PY) -m pip freeze --exclude-editable | sed '1i # Pinned dependencies of the whole project (Python 3.10). Regenerate with `make lock`.' > requirements.lock

.PHONY: clean
clean: ## Remove generated files (keeps .venv)
	rm -rf $(BUILD) models/*.tar.gz

# ---- fault injection (issue 10) -------------------------------------------------------------
.PHONY: faults
faults: setup ## Fault injection on the real servers: action server killed, database locked/gone, Rasa restarted under load
	$(PY) -m pytest tests/faults -q

# ---- production shape (issue 14): replicas behind nginx on PostgreSQL and Redis -------------
.PHONY: services
services: ## Install (Debian packages) and start local PostgreSQL, Redis and nginx; their URLs -> build/services.env
	deploy/services.sh

.PHONY: services-if-possible
services-if-possible:
	@deploy/services.sh --optional

.PHONY: run-cluster
run-cluster: setup services ## 2 Rasa replicas + 2 action servers + web app behind nginx (:8000), on local PostgreSQL and Redis
	set -a && . $(BUILD)/services.env && set +a && $(PY) -m bot.kb build && $(PY) -m bot.cluster serve
