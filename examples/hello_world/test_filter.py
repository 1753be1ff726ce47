"""hello_world: logs on VM start, starts a timer, logs on every tick."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy
from proxy_wasm_envoy.logs import LogRecord

FILTER = Path(__file__).with_name("filter.py")
START_NS = 1_767_225_600 * 1_000_000_000  # 2026-01-01T00:00:00Z


def test_logs_on_vm_start_and_sets_a_tick_period(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, start_time_ns=START_NS)
    assert host.start_vm()
    assert host.info_logs == ["Hello, World! (from Python)"]
    assert host.tick_period_ms == 0
    assert host.start_plugin()
    assert host.tick_period_ms == 2000
    assert host.info_logs[-1] == "ticking every 2.0 seconds"


def test_ticks_log_the_clock(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, start_time_ns=START_NS)
    assert host.start()
    host.clear_logs()
    host.tick()
    assert host.info_logs == ["tick 1: it is 1767225600 seconds since the epoch"]
    host.clear_logs()
    host.advance_time(4.0)  # two more periods fall due
    assert host.info_logs == [
        "tick 2: it is 1767225602 seconds since the epoch",
        "tick 3: it is 1767225604 seconds since the epoch",
    ]


def test_requests_pass_through(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "x-a": "1"}, True)
    assert stream.request_headers == [(":path", "/"), ("x-a", "1")]
    assert not stream.request_paused


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    # Envoy prints a root context's logs as "wasm log: ..." with no plugin name.
    def logged(message: str) -> Callable[[LogRecord], bool]:
        return lambda record: record.is_wasm_log and message in record.message

    assert examples_envoy.wait_for_log(logged("Hello, World! (from Python)")) is not None
    assert examples_envoy.wait_for_log(logged("ticking every 2.0 seconds")) is not None
    tick = examples_envoy.wait_for_log(logged("tick 1: it is "), timeout=15.0)
    assert tick is not None
    with urllib.request.urlopen(examples_envoy.url("hello_world") + "/", timeout=10) as resp:
        assert resp.status == 200
        assert b'"path": "/"' in resp.read()
