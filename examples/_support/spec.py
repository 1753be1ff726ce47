"""The examples as deployments: every folder holding a filter.py, with its example.yaml read by
the same code as ``proxy-wasm run examples/NAME`` (proxy_wasm_envoy.deployment)."""

from __future__ import annotations

from pathlib import Path

from proxy_wasm_envoy.deployment import Deployment, load_deployment

EXAMPLES_DIR = Path(__file__).resolve().parent.parent


def all_examples() -> list[Deployment]:
    """Every example folder (one holding a filter.py), sorted by name."""
    return [load_deployment(p.parent) for p in sorted(EXAMPLES_DIR.glob("*/filter.py"))]
