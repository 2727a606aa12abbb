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
CONTACT_FLOW_ID ?=

.PHONY: setup synth check check-tests test lint typecheck unit deploy destroy clean

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

# pytest-xdist workers. Most suites wait (on deadlines, rate limits, the engines), so more workers
# than cores; tests/needs.py keeps a module's tests, and each engine's tests, in one worker.
# make check: 3 workers took 59-62 s, 4 took 50-57 s, 5 and 6 about 55 s (docs/test-loop.md).
TEST_WORKERS ?= 4
CHECK_WORKERS ?= 4
# Python caches what it compiles, pytest its rewritten test modules, unless PYTHONDONTWRITEBYTECODE
# is set (some machines set it): the test targets unset it, which saves each worker about 4 s of
# CPU from the second run on. .gitignore and every asset leave __pycache__ out.
check-tests unit test-floor: export PYTHONDONTWRITEBYTECODE :=
# What `make check` leaves out: tests/conftest.py marks tests by folder (NEEDS).
NEEDS_MORE := engine or storm or cli

# The edit loop: lint, types and the tests that need no engine, storm or CLI, at once (as make test).
CHECK_TARGETS := lint typecheck check-tests
check: setup
	$(MAKE) --no-print-directory -j $(words $(CHECK_TARGETS)) --output-sync=target $(CHECK_TARGETS)

check-tests: setup
	$(BIN)/pytest -n $(CHECK_WORKERS) -m "not ($(NEEDS_MORE))"

# Every test. The end-to-end tests in tests/e2e/ deploy through the cdk CLI onto the local engine.
unit: setup engine
	$(BIN)/pytest -n $(TEST_WORKERS)

# Every check, at once (make -j; each one's output is printed whole when it ends): the unit tests
# wait much of their time (on the engines, deadlines and rate limits), and the others fill it.
TEST_TARGETS := lint typecheck reference compat unit test-floor
test: setup
	$(MAKE) --no-print-directory -j $(words $(TEST_TARGETS)) --output-sync=target $(TEST_TARGETS)

.PHONY: reference compat

# The API reference, generated from the docstrings with pdoc into build/reference (not committed).
# A public name (contact_streaming.__all__ and the public members of ours) without a docstring
# fails it, and so does any warning pdoc gives. See docs/versions-and-releases.md.
reference: setup
	$(BIN)/python -m tools.api_reference build/reference

# The public API against the last release in releases/, with griffe: a breaking change fails
# unless the version is a new major one and CHANGELOG.md's section for it names the change.
compat: setup
	$(BIN)/python -m tools.api_compat

deploy: setup
	@test -n "$(INSTANCE_ID)" -a -n "$(CONTACT_ID)" || { echo "usage: make deploy INSTANCE_ID=<uuid> CONTACT_ID=<contact id>"; exit 2; }
	$(CDK) deploy --parameters InstanceId=$(INSTANCE_ID) --parameters ContactId=$(CONTACT_ID)

destroy: setup
	$(CDK) destroy --force

clean:
	rm -rf $(VENV) $(ENGINE_VENV) $(FLOOR_VENV) $(DIST_VENV) .local node_modules cdk.out .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info

.PHONY: rehearse bench bench-handler bench-scale bench-storm bench-tests bench-flow bench-loop

# The stack's life (create, an update rolled back, the update again, delete) through the synthesized
# handler, against local Connect and CloudFormation stand-ins. No AWS account; nothing is deployed.
rehearse: synth
	$(BIN)/python -m standins.rehearse cdk.out

# Benchmarks print figures; they assert nothing about speed.
bench: bench-tests bench-loop bench-handler bench-scale bench-flow bench-storm

# The wall and CPU time of each test folder's pytest, run one after another (BENCH_TESTS="storm e2e"
# chooses the folders).
BENCH_TESTS ?=
bench-tests: setup engine
	$(BIN)/python -m bench.test_suites_bench $(BENCH_TESTS)

# The loop itself: `make check` LOOP_RUNS times, each beside an anchor measured just before it
# (LOOP_TARGETS="check test" times `make test` too). `+`: it runs make, which shares our jobs.
LOOP_RUNS ?= 3
LOOP_TARGETS ?= check
bench-loop: setup
	+$(BIN)/python -m bench.loop_bench $(LOOP_RUNS) $(LOOP_TARGETS)

# Handler cold start and time per event against the Connect stand-in.
bench-handler: setup
	$(BIN)/python -m bench.handler_bench

# The flow function (FlowStreaming) against the local Connect at 5/s burst 8: chats arriving below,
# at and above that rate, and all at once; fraction streamed and flow time per chat. About 3 minutes.
FLOW_SECONDS ?= 15
bench-flow: setup
	$(BIN)/python -m bench.flow_bench $(FLOW_SECONDS)

# ContactStreaming against AwsCustomResource at N = 1, 50, 200, 490 streams.
bench-scale: setup
	$(BIN)/python -m bench.scale_bench

# Deploy and destroy N = 100 and 490 streams on the local CloudFormation engine at Connect's
# default quotas, with a live-chat caller running, CloudFormation spending 1, 5, 10 and 20 s on
# each custom resource before invoking it: the curve of docs/pace.md (STORM_COUNTS="1 50" chooses
# the N, STORM_SECONDS="0" the CloudFormation times). About 45 minutes (2,719 s on 2 CPUs).
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

.PHONY: acceptance acceptance-aws

# The acceptance scenario on the local engine and the local Connect: tests/acceptance, which
# `make unit` (so `make test`) also runs. See docs/acceptance.md.
acceptance: setup engine
	$(BIN)/pytest tests/acceptance

# The same scenario on the account and region the SDK's standard settings name (profile,
# AWS_REGION, credentials, AWS_ENDPOINT_URL*). It deletes everything it creates. With
# STREAMING_FLOW_ID (a flow invoking the run's FlowStreaming function) it also runs the flow scenario.
acceptance-aws: setup
	@test -n "$(INSTANCE_ID)" -a -n "$(CONTACT_FLOW_ID)" || { echo "usage: make acceptance-aws INSTANCE_ID=<instance id> CONTACT_FLOW_ID=<contact flow id>"; exit 2; }
	$(BIN)/python -m acceptance --instance-id $(INSTANCE_ID) --contact-flow-id $(CONTACT_FLOW_ID) $(if $(STREAMING_FLOW_ID),--streaming-flow-id $(STREAMING_FLOW_ID))

.PHONY: test-floor dist

# The construct and template tests at the oldest aws-cdk-lib and constructs pyproject.toml accepts
# (requirements-floor.txt), in an environment of their own that takes everything else from .venv
# through a .pth file. Left out there: cdk-nag (its tests need aws-cdk-lib 2.262.0), cfn-lint (about
# 10 s; no CDK in it, and the snapshots show the floor writes the same templates), CDK's built-in
# CloudFormation validation (new since the floor) and the tests that run an app in a process of
# their own (up to 10 s each); docs/versions-and-releases.md says why.
FLOOR_VENV := .venv-floor
FLOOR_TESTS := tests/construct tests/endpoint tests/region tests/template tests/flow \
	--ignore=tests/template/test_cdk_nag.py --ignore=tests/template/test_cfn_lint.py \
	--ignore=tests/flow/test_flow_checks.py \
	--ignore=tests/template/test_cloudformation_validation.py \
	--ignore=tests/template/test_lambda_asset.py \
	--deselect=tests/template/test_per_chat_example_template.py::test_per_chat_example_app_py_template_equals_tested_template

test-floor: setup $(FLOOR_VENV)/.installed
	$(FLOOR_VENV)/bin/python -m tests.packaging.floor
	$(FLOOR_VENV)/bin/python -m pytest -p no:cacheprovider $(FLOOR_TESTS)

$(FLOOR_VENV)/.installed: requirements-floor.txt
	rm -rf $(FLOOR_VENV)
	$(BIN)/python -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-floor.txt
	$(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' \
		> "$$($(FLOOR_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/shared-venv.pth"
	touch $@

# The sdist and the wheel in dist/, checked with twine. The build tools live in .venv-dist
# (requirements-dist.txt); the build runs without isolation, so it needs no network once set up.
DIST_VENV := .venv-dist

dist: $(DIST_VENV)/.installed
	rm -rf dist
	$(DIST_VENV)/bin/python -m build --no-isolation --outdir dist .
	$(DIST_VENV)/bin/python -m twine check --strict dist/*

$(DIST_VENV)/.installed: requirements-dist.txt
	test -x $(DIST_VENV)/bin/python || $(PYTHON) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dist.txt
	touch $@
