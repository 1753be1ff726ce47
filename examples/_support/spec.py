"""The examples as deployments: every folder holding a filter.py, with its example.yaml read by
the same code as ``proxy-wasm run examples/NAME`` (proxy_wasm_envoy.deployment)."""

from __future__ import annotations

import os
from pathlib import Path

from proxy_wasm_envoy.deployment import Deployment, load_deployment

EXAMPLES_DIR = Path(__file__).resolve().parent.parent


def all_examples() -> list[Deployment]:
    """Every example folder (one holding a filter.py), sorted by name, but those named in
    ``$PROXY_WASM_SKIP_EXAMPLES`` (comma-separated; scripts/envoy_versions.py uses it for
    examples an older Envoy cannot configure)."""
    skip = set(os.environ.get("PROXY_WASM_SKIP_EXAMPLES", "").split(","))
    return [
        load_deployment(p.parent)
        for p in sorted(EXAMPLES_DIR.glob("*/filter.py"))
        if p.parent.name not in skip
    ]
