# Set-up and checks. `make synth` and `make test` work on a fresh machine with python3 and npm.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Node 22 from node_modules (npm package node@22) runs jsii and the CDK CLI.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
CDK := node_modules/.bin/cdk
# The local engine (ministack) pins botocore==1.43.106: it gets an environment of its own.
ENGINE_VENV := .venv-engine
INSTANCE_ID ?=
CONTACT_ID ?=

.PHONY: setup synth test lint typecheck unit deploy destroy clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@node_modules/.bin/node --version | grep -q '^v22\.' || { echo "node@22 did not install: are npm install scripts disabled?"; exit 1; }
	touch $@

synth: setup
	$(CDK) synth --quiet

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# The end-to-end tests in tests/e2e/ deploy through the cdk CLI onto the local engine.
unit: setup engine
	$(BIN)/pytest

test: lint typecheck unit

deploy: setup
	@test -n "$(INSTANCE_ID)" -a -n "$(CONTACT_ID)" || { echo "usage: make deploy INSTANCE_ID=<uuid> CONTACT_ID=<contact id>"; exit 2; }
	$(CDK) deploy --parameters InstanceId=$(INSTANCE_ID) --parameters ContactId=$(CONTACT_ID)

destroy: setup
	$(CDK) destroy --force

clean:
	rm -rf $(VENV) $(ENGINE_VENV) .local node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info

.PHONY: rehearse bench bench-handler bench-scale bench-storm

# The stack's life (create, an update rolled back, the update again, delete) through the synthesized
# handler, against local Connect and CloudFormation stand-ins. No AWS account; nothing is deployed.
rehearse: synth
	$(BIN)/python -m standins.rehearse cdk.out

# Benchmarks print figures; they assert nothing about speed.
bench: bench-handler bench-scale bench-storm

# Handler cold start and time per event against the Connect stand-in.
bench-handler: setup
	$(BIN)/python -m bench.handler_bench

# ContactStreaming against AwsCustomResource at N = 1, 50, 200, 490 streams.
bench-scale: setup
	$(BIN)/python -m bench.scale_bench

# Deploy and destroy N = 100 and 490 streams on the local CloudFormation engine at Connect's
# default quotas, with a live-chat caller running, CloudFormation spending 1, 5, 10 and 20 s on
# each custom resource before invoking it: the curve of docs/pace.md (STORM_COUNTS="1 50" chooses
# the N, STORM_SECONDS="0" the CloudFormation times). About 75 minutes.
STORM_COUNTS ?= 100 490
STORM_SECONDS ?= 1 5 10 20
bench-storm: setup
	$(BIN)/python -m bench.storm_bench --counts $(STORM_COUNTS) --seconds $(STORM_SECONDS)

.PHONY: engine local local-up local-down

engine: $(ENGINE_VENV)/.installed

$(ENGINE_VENV)/.installed: local/engine-requirements.txt
	test -x $(ENGINE_VENV)/bin/python || $(PYTHON) -m venv $(ENGINE_VENV)
	$(ENGINE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r local/engine-requirements.txt
	touch $@

# The app on the local engine: bootstrap, deploy, the chat on the topic, destroy; then all stops.
local: setup engine
	$(BIN)/python -m local demo

# Leaves the app deployed on a running engine and prints what to export; local-down ends it.
local-up: setup engine
	$(BIN)/python -m local up

local-down: setup
	$(BIN)/python -m local down
