"""orjson_canonical: orjson (a C extension) canonicalizes JSON bodies; null and native only."""

from __future__ import annotations

import http.client
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
POST = {":method": "POST", ":path": "/items", "content-type": "application/json"}


@pytest.fixture
def host(proxy_wasm_runtime: str, proxy_wasm_host: Callable[..., Host]) -> Host:
    if proxy_wasm_runtime == "wasm":
        pytest.skip("orjson is a C extension: a Wasm build refuses it (runs in null and native)")
    made = proxy_wasm_host(FILTER, native_imports=True)
    assert made.start()
    return made


def test_body_is_canonicalized(host: Host) -> None:
    stream = host.http_stream()
    assert stream.send_request_headers(POST) == Action.CONTINUE
    assert stream.send_request_body(b'{"b": 2,  "a"', False) == Action.PAUSE
    assert stream.send_request_body(b": [1, 2]}", True) == Action.CONTINUE
    assert stream.request_body == b'{"a":[1,2],"b":2}'
    assert "canonical body, 2 top-level keys" in host.info_logs


def test_invalid_json_gets_a_400(host: Host) -> None:
    stream = host.http_stream()
    stream.send_request_headers(POST)
    stream.send_request_body(b'{"a": ', True)
    reply = stream.local_response
    assert reply is not None and reply.status_code == 400
    assert "error" in json.loads(reply.body)


def test_other_requests_pass_untouched(host: Host) -> None:
    stream = host.http_stream()
    stream.send_request_headers({":method": "GET", ":path": "/"}, True)
    assert stream.request_body == b""
    assert host.info_logs == []


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    conn = http.client.HTTPConnection(
        "127.0.0.1", examples_envoy.port("orjson_canonical"), timeout=10
    )
    try:
        conn.request(
            "POST",
            "/items",
            body=b'{"b": 2,  "a": [1, 2]}',
            headers={"content-type": "application/json"},
        )
        resp = conn.getresponse()
        echoed = json.loads(resp.read())
        assert resp.status == 200
        assert echoed["body"] == '{"a":[1,2],"b":2}'
        conn.request("POST", "/items", body=b'{"a": ', headers={"content-type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 400
        assert "error" in json.loads(resp.read())
    finally:
        conn.close()
