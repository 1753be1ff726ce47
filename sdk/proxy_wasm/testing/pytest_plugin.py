"""pytest plugin: run one test in both runtimes.

Registered as the ``pytest11`` entry point ``proxy_wasm``. It adds:

* ``--proxy-wasm-runtime=null,wasm`` (default both): the runtimes to run tests in;
* ``proxy_wasm_runtime``: a fixture parametrized over those runtimes (test ids ``[null]``,
  ``[wasm]``);
* ``proxy_wasm_host``: a factory ``make_host(filter, **kwargs) -> Host`` in the current runtime.
  In the wasm runtime a filter that cannot be built here (no compiler) skips the test, with
  the reason;
* the ``wasm`` marker on every ``[wasm]`` run, so ``pytest -m "not wasm"`` runs the null runtime
  alone (no build).

Example::

    def test_adds_header(proxy_wasm_host):
        host = proxy_wasm_host("filter.py")
        host.start()
        stream = host.http_stream()
        stream.send_request_headers({":path": "/"})
        assert stream.request_header("x-hello") == "world"
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from proxy_wasm.testing import Host, WasmUnavailable

RUNTIMES = ("null", "wasm")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("proxy-wasm")
    group.addoption(
        "--proxy-wasm-runtime",
        default="null,wasm",
        help="comma-separated runtimes for proxy_wasm_runtime tests: null, wasm (default both)",
    )


def selected_runtimes(config: pytest.Config) -> list[str]:
    raw = str(config.getoption("--proxy-wasm-runtime", default="null,wasm") or "null,wasm")
    chosen = [r.strip() for r in raw.split(",") if r.strip()]
    bad = [r for r in chosen if r not in RUNTIMES]
    if bad:
        raise pytest.UsageError(f"--proxy-wasm-runtime: unknown runtime(s) {bad}; use null, wasm")
    return chosen


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "wasm: builds a module or runs one in wasmtime")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "proxy_wasm_runtime" in metafunc.fixturenames:
        metafunc.parametrize(
            "proxy_wasm_runtime",
            [
                pytest.param(runtime, marks=[pytest.mark.wasm] if runtime == "wasm" else [])
                for runtime in selected_runtimes(metafunc.config)
            ],
            indirect=True,
        )


@pytest.fixture
def proxy_wasm_runtime(request: pytest.FixtureRequest) -> str:
    """The runtime of this test run: ``"null"`` or ``"wasm"``."""
    return str(getattr(request, "param", "null"))


@pytest.fixture
def proxy_wasm_host(proxy_wasm_runtime: str) -> Callable[..., Host]:
    """A factory ``make_host(filter, **kwargs)`` building a :class:`Host` in this runtime."""

    def make_host(filter: str | Path | ModuleType, **kwargs: Any) -> Host:
        try:
            return Host(filter, runtime=proxy_wasm_runtime, **kwargs)  # type: ignore[arg-type]
        except WasmUnavailable as exc:
            pytest.skip(f"wasm runtime unavailable: {exc}")

    return make_host
