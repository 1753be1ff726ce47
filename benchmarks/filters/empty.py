"""Baseline for bench_test_host.py: an HTTP context that overrides nothing."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import HttpContext


class EmptyFilter(HttpContext):
    pass


proxy_wasm.set_http_context(EmptyFilter)
