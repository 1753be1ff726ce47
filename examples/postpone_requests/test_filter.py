"""postpone_requests: requests wait for the next tick, which resumes them all."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
REQUEST = {":method": "GET", ":path": "/", ":authority": "example"}


def test_requests_wait_for_the_tick(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    assert host.tick_period_ms == 1000
    a, b = host.http_stream(), host.http_stream()
    assert a.send_request_headers(REQUEST, end_of_stream=True) == Action.PAUSE
    assert b.send_request_headers(REQUEST, end_of_stream=True) == Action.PAUSE
    assert a.request_paused and b.request_paused
    host.tick()
    assert not a.request_paused and not b.request_paused
    assert a.request_header("x-resumed-on-tick") == "1"
    assert b.request_header("x-resumed-on-tick") == "1"
    assert host.info_logs[-2:] == [
        f"tick 1: resumed #{a.context_id}",
        f"tick 1: resumed #{b.context_id}",
    ]


def test_later_request_waits_for_a_later_tick(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    host.tick()  # nothing held: nothing happens
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    assert stream.request_paused
    host.advance_time(1.0)
    assert not stream.request_paused
    assert stream.request_header("x-resumed-on-tick") == "2"


def test_gone_stream_is_forgotten(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    gone, kept = host.http_stream(), host.http_stream()
    gone.send_request_headers(REQUEST, end_of_stream=True)
    kept.send_request_headers(REQUEST, end_of_stream=True)
    gone.complete()  # the client went away
    host.tick()
    assert not kept.request_paused
    assert host.info_logs[-1] == f"tick 1: resumed #{kept.context_id}"
    assert not any(f"resumed #{gone.context_id}" in m for m in host.info_logs)
    assert host.error_logs == []


@pytest.mark.envoy
def test_envoy_request_is_resumed_by_a_tick(examples_envoy: RunningEnvoy) -> None:
    with urllib.request.urlopen(
        examples_envoy.url("postpone_requests") + "/later", timeout=10
    ) as resp:
        assert resp.status == 200
        echoed = json.loads(resp.read())
    assert echoed["path"] == "/later"
    assert int(echoed["headers"]["x-resumed-on-tick"]) >= 1
