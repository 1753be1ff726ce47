"""json_validation: valid JSON bodies pass; others get a 400 saying what is wrong."""

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


def _error(stream: object) -> tuple[int, str]:
    reply = stream.local_response  # type: ignore[attr-defined]
    assert reply is not None
    return reply.status_code, json.loads(reply.body)["error"]


def test_valid_body_passes(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(POST) == Action.CONTINUE
    assert stream.send_request_body(b'{"id": 1, "na') == Action.PAUSE
    assert stream.send_request_body(b'me": "x", "tags": ["a"]}', True) == Action.CONTINUE
    assert stream.local_response is None
    assert stream.request_body == b'{"id": 1, "name": "x", "tags": ["a"]}'


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"{not json", "invalid JSON: Expecting property name enclosed in double quotes"),
        (b"[1, 2]", "the body must be a JSON object"),
        (b'{"id": "1", "name": "x"}', "'id' must be an integer"),
        (b'{"id": true, "name": "x"}', "'id' must be an integer"),
        (b'{"id": 1, "name": ""}', "'name' must be a non-empty string"),
        (b'{"id": 1, "name": "x", "tags": [1]}', "'tags' must be a list of strings"),
        (b'{"id": 1, "name": "x", "price": 3}', "unknown field 'price'"),
    ],
)
def test_invalid_bodies_get_400(
    proxy_wasm_host: Callable[..., Host], body: bytes, error: str
) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(POST)
    assert stream.send_request_body(body, True) == Action.PAUSE
    status, message = _error(stream)
    assert status == 400
    assert message.startswith(error)
    assert host.info_logs == [f"rejected: {message}"]


def test_wrong_content_type_and_missing_body(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({**POST, "content-type": "text/plain"}) == Action.PAUSE
    assert _error(stream) == (400, "content-type must be application/json")
    stream = host.http_stream()
    assert stream.send_request_headers(POST, end_of_stream=True) == Action.PAUSE
    assert _error(stream) == (400, "a JSON body is required")


def test_get_is_not_checked(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":method": "GET", ":path": "/"}, True) == Action.CONTINUE
    assert stream.local_response is None


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", examples_envoy.port("json_validation"), 10)
    headers = {"content-type": "application/json"}
    conn.request("POST", "/items", body=b'{"id": 7, "name": "widget"}', headers=headers)
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(json.loads(resp.read())["body"]) == {"id": 7, "name": "widget"}

    conn.request("POST", "/items", body=b'{"id": 7}', headers=headers)
    resp = conn.getresponse()
    assert resp.status == 400
    assert resp.getheader("content-type") == "application/json"
    assert json.loads(resp.read()) == {"error": "'name' must be a non-empty string"}
    conn.close()
