"""dispatch_call_on_tick: every tick sends one HTTP call from the root context."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")


def _start(make_host: Callable[..., Host]) -> Host:
    host = make_host(FILTER, clusters=["httpbin"])
    assert host.start()
    assert host.tick_period_ms == 1000
    return host


def test_each_tick_dispatches_a_call(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    assert host.http_callouts() == []
    host.tick()
    host.tick()
    first, second = host.http_callouts()
    assert first.upstream == second.upstream == "httpbin"
    assert first.header(":path") == "/tick/1"
    assert second.header(":path") == "/tick/2"
    assert second.header("x-tick") == "2"
    assert first.timeout_ms == 2000
    assert first.context_id == host.root_context_id
    assert host.info_logs == [
        f"tick 1: dispatched call {first.token}",
        f"tick 2: dispatched call {second.token}",
    ]


def test_responses_are_logged(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    host.advance_time(2.0)  # two ticks fall due
    first, second = host.http_callouts()
    host.clear_logs()
    second.respond({":status": "503"}, body="busy")
    first.respond({":status": "200"}, body=b"x" * 42)
    assert host.info_logs == ["tick 2: response 503, 4 bytes", "tick 1: response 200, 42 bytes"]


def test_failed_call_is_a_warning(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    host.tick()
    call = host.http_callouts()[0]
    call.fail()
    assert host.warn_logs == [f"tick 1: call {call.token} failed"]


@pytest.mark.envoy
def test_envoy_ticks_call_the_echo_server(examples_envoy: RunningEnvoy) -> None:
    # Envoy logs a root context's messages without the plugin name: match the text.
    record = examples_envoy.wait_for_log(
        lambda r: re.search(r"tick \d+: response 200, \d+ bytes", r.message) is not None
    )
    assert record is not None
    # requests through the listener are untouched
    with urllib.request.urlopen(
        examples_envoy.url("dispatch_call_on_tick") + "/x", timeout=10
    ) as resp:
        assert resp.status == 200
