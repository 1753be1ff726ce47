"""local_reply: /ping and /teapot are answered by the filter; other paths go upstream."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")


def test_ping_is_answered_locally(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/ping?x=1"}, True) == Action.PAUSE
    reply = stream.local_response
    assert reply is not None
    assert reply.status_code == 200
    assert reply.body == b"pong\n"
    headers = dict((k.decode(), v.decode()) for k, v in reply.headers)
    assert headers["content-type"] == "text/plain"
    assert headers["x-local-reply"] == "proxy-wasm-python"
    assert headers["cache-control"] == "no-store"
    assert host.info_logs == ["local reply 200 for /ping"]


def test_teapot(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/teapot"}, True) == Action.PAUSE
    reply = stream.local_response
    assert reply is not None
    assert reply.status_code == 418
    assert json.loads(reply.body) == {"error": "I'm a teapot"}


def test_other_paths_go_upstream(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/pingpong"}, True) == Action.CONTINUE
    assert stream.local_response is None
    assert host.info_logs == []


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    base = examples_envoy.url("local_reply")
    with urllib.request.urlopen(base + "/ping", timeout=10) as resp:
        assert resp.status == 200
        assert resp.headers["x-local-reply"] == "proxy-wasm-python"
        assert resp.headers["content-type"] == "text/plain"
        assert resp.read() == b"pong\n"
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(base + "/teapot", timeout=10)
    assert info.value.code == 418
    assert json.loads(info.value.read()) == {"error": "I'm a teapot"}
    with urllib.request.urlopen(base + "/other", timeout=10) as resp:
        assert json.loads(resp.read())["path"] == "/other"  # the echo upstream answered
