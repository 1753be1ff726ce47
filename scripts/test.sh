#!/usr/bin/env bash
# Set up (if needed), then run the whole test suite: lint, types, and pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
LINTED=(sdk compiler runtime_shim tests examples benchmarks scripts)
.venv/bin/ruff check "${LINTED[@]}"
.venv/bin/ruff format --check "${LINTED[@]}"
.venv/bin/mypy --strict sdk/proxy_wasm compiler/proxy_wasm_compiler compiler/proxy_wasm_envoy \
    compiler/proxy_wasm_hub compiler/proxy_wasm_cli
.venv/bin/mypy --strict runtime_shim/native
.venv/bin/mypy --strict --explicit-package-bases conftest.py tests examples
# Every tier: unit, wasm (builds modules), envoy (real Envoy), registry (local OCI registry).
.venv/bin/python -m pytest "$@"
