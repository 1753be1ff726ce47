"""Runaway recursion is a ``RecursionError`` (the exception policy's 500), never a trap.

The module's recursion limit fits the proxy's native stack (see ``PW_RECURSION_LIMIT`` in
``runtime_shim/shim.c``), and ``sys.setrecursionlimit`` cannot raise it past that.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "recursion_filter.py"
MODES = ("gen", "c", "init", "repr", "pure")


@pytest.mark.parametrize("limit", ["", "1000000"])
def test_runaway_recursion_is_a_recursion_error(
    proxy_wasm_host: Callable[..., Host], proxy_wasm_runtime: str, limit: str
) -> None:
    if limit and proxy_wasm_runtime == "null":
        pytest.skip("the null runtime is the test's own CPython: a raised limit is not clamped")
    host = proxy_wasm_host(FILTER)
    assert host.start()
    for mode in MODES:
        host.clear_logs()
        s = host.http_stream()
        headers = {"x-mode": mode, "x-depth": "100000", "x-limit": limit}
        assert s.send_request_headers(headers) == Action.PAUSE, mode
        assert host.vm_failed is None, mode
        assert s.local_response is not None and s.local_response.status_code == 500
        (error,) = host.error_logs
        assert "RecursionError" in error, mode
        assert len(error.splitlines()) < 40, mode  # repeated frames collapse (not ~800 lines)
        # the VM is still fine: a shallow request passes
        ok = host.http_stream()
        assert ok.send_request_headers({"x-mode": mode, "x-depth": "50"}) == Action.CONTINUE
        assert host.vm_failed is None


def test_recursion_within_the_limit_works(
    proxy_wasm_host: Callable[..., Host], proxy_wasm_runtime: str
) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    for mode in MODES:
        s = host.http_stream()
        assert s.send_request_headers({"x-mode": mode, "x-depth": "100"}) == Action.CONTINUE
    if proxy_wasm_runtime == "wasm":
        s = host.http_stream()
        s.send_request_headers({"x-limit": "1000000", "x-depth": "1"})
        assert int(s.request_header("x-limit-now") or 0) < 1000000  # clamped
