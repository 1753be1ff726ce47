"""multiple_dispatches: the request resumes only when every callout has answered."""

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


def test_fans_out_three_calls(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, clusters=["httpbin"])
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(REQUEST, end_of_stream=True) == Action.PAUSE
    calls = host.http_callouts()
    assert [c.header(":path") for c in calls] == ["/part/1", "/part/2", "/part/3"]
    assert {c.upstream for c in calls} == {"httpbin"}
    assert all(c.context_id == stream.context_id for c in calls)


def test_resumes_after_the_last_answer(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, clusters=["httpbin"])
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    first, second, third = host.http_callouts()
    third.respond({":status": "200"})
    assert stream.request_paused
    first.fail()
    assert stream.request_paused
    assert stream.request_header("x-dispatch-results") is None
    second.respond({":status": "404"})
    assert not stream.request_paused
    assert stream.request_header("x-dispatch-results") == "failed,404,200"
    assert host.info_logs[-2:] == [
        f"#{stream.context_id} call 2 answered 404, 0 pending",
        f"#{stream.context_id} all 3 calls answered, resuming",
    ]


def test_streams_are_independent(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, clusters=["httpbin"])
    assert host.start()
    a, b = host.http_stream(), host.http_stream()
    a.send_request_headers(REQUEST, end_of_stream=True)
    b.send_request_headers(REQUEST, end_of_stream=True)
    calls = host.http_callouts()
    assert len(calls) == 6
    for call in calls:
        if call.context_id == b.context_id:
            call.respond({":status": "200"})
    assert a.request_paused and not b.request_paused
    assert b.request_header("x-dispatch-results") == "200,200,200"


@pytest.mark.envoy
def test_envoy_request_carries_all_results(examples_envoy: RunningEnvoy) -> None:
    with urllib.request.urlopen(
        examples_envoy.url("multiple_dispatches") + "/fan", timeout=10
    ) as resp:
        assert resp.status == 200
        echoed = json.loads(resp.read())
    assert echoed["path"] == "/fan"
    assert echoed["headers"]["x-dispatch-results"] == "200,200,200"
