"""http_body: a text request body has every "hello" replaced by "goodbye"."""

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
TEXT = {":method": "POST", ":path": "/", "content-type": "text/plain", "content-length": "24"}


def test_rewrites_a_buffered_body(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(TEXT) == Action.CONTINUE
    assert stream.request_header("content-length") is None
    assert stream.request_header("content-type") == "text/plain"
    # the word is split across two chunks: the filter waits for the whole body
    assert stream.send_request_body(b"hello world, hel") == Action.PAUSE
    assert stream.send_request_body(b"lo again", end_of_stream=True) == Action.CONTINUE
    assert stream.request_body == b"goodbye world, goodbye again"
    assert host.info_logs == ["replaced 2 x 'hello': 24 -> 28 bytes"]


def test_leaves_other_bodies_alone(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    headers = {**TEXT, "content-type": "application/octet-stream", "content-length": "5"}
    assert stream.send_request_headers(headers) == Action.CONTINUE
    assert stream.request_header("content-length") == "5"
    assert stream.send_request_body(b"hello", end_of_stream=True) == Action.CONTINUE
    assert stream.request_body == b"hello"
    assert host.info_logs == []


def test_text_without_the_word_is_unchanged(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(TEXT)
    assert stream.send_request_body(b"nothing to see", end_of_stream=True) == Action.CONTINUE
    assert stream.request_body == b"nothing to see"
    assert host.info_logs == []


def test_get_without_body(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":method": "GET", ":path": "/"}, True) == Action.CONTINUE
    assert not stream.request_paused


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    port = examples_envoy.port("http_body")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = b"hello world, hello again"
    conn.request("POST", "/echo", body=body, headers={"content-type": "text/plain"})
    resp = conn.getresponse()
    assert resp.status == 200
    echoed = json.loads(resp.read())
    conn.close()
    assert echoed["body"] == "goodbye world, goodbye again"
    assert "content-length" not in echoed["headers"]
