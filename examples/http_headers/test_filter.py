"""http_headers: the request gains x-python-filter, the response x-powered-by."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")


def test_adds_request_and_response_headers(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":method": "GET", ":path": "/hello", "user-agent": "t"}, True)
    assert stream.request_header("x-python-filter") == "saw /hello"
    assert stream.request_header("user-agent") == "t"
    assert any("request header user-agent: t" in line for line in host.debug_logs)

    stream.send_response_headers({":status": "200"}, True)
    assert stream.response_header("x-powered-by") == "proxy-wasm-python"
    stream.complete()
    assert host.info_logs == [f"#{stream.context_id} completed"]


def test_replaces_an_existing_powered_by(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/"}, True)
    stream.send_response_headers({":status": "200", "x-powered-by": "php"}, True)
    assert [v for k, v in stream.response_headers if k == "x-powered-by"] == ["proxy-wasm-python"]


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    url = examples_envoy.url("http_headers") + "/hello?x=1"
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["x-powered-by"] == "proxy-wasm-python"
        echoed = json.loads(resp.read())
    assert echoed["path"] == "/hello?x=1"
    assert echoed["headers"]["x-python-filter"] == "saw /hello?x=1"
    record = examples_envoy.wait_for_log(lambda r: "completed" in r.message)
    assert record is not None
    assert any(
        log.plugin == "http_headers" and "completed" in log.message
        for log in examples_envoy.wasm_logs()
    )
