"""`proxy-wasm run`'s work as a library: plan, serve through a real Envoy, stop."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from proxy_wasm_envoy.logs import LogRecord
from proxy_wasm_envoy.serve import LISTENER, plan_serve, serve

pytestmark = pytest.mark.envoy


def test_serve_a_module_and_stop(c_filter_wasm: Path) -> None:
    records: list[LogRecord] = []
    plan = plan_serve(str(c_filter_wasm), config='{"library": 1}', port=0)
    with serve(plan, on_record=records.append) as envoy:
        with urllib.request.urlopen(envoy.url(LISTENER) + "/hello", timeout=10) as resp:
            seen = json.loads(resp.read())
        assert seen["headers"]["x-c-filter"] == "1"  # the echo upstream saw the filter's header
        assert envoy.is_running()
    assert not envoy.is_running()
    wasm = [r.wasm() for r in records]
    assert any(w and 'c filter configuration: {"library": 1}' in w.message for w in wasm)
