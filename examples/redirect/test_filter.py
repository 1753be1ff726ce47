"""redirect: /old/... gets a 302 to /new/..., query kept; other paths go upstream."""

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


def test_redirects_old_paths(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/old/docs?page=2"}, True) == Action.PAUSE
    reply = stream.local_response
    assert reply is not None
    assert reply.status_code == 302
    assert (b"location", b"/new/docs?page=2") in reply.headers
    assert reply.body == b"moved to /new/docs?page=2\n"
    assert host.info_logs == ["redirect /old/docs?page=2 -> /new/docs?page=2"]


def test_other_paths_continue(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    for path in ("/new/docs", "/older", "/old"):
        stream = host.http_stream()
        assert stream.send_request_headers({":path": path}, True) == Action.CONTINUE
        assert stream.local_response is None
    assert host.info_logs == []


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", examples_envoy.port("redirect"), timeout=10)
    conn.request("GET", "/old/a/b?c=d")
    resp = conn.getresponse()
    assert resp.status == 302
    assert resp.getheader("location") == "/new/a/b?c=d"
    assert resp.read() == b"moved to /new/a/b?c=d\n"
    conn.request("GET", "/new/a/b?c=d")  # following the redirect reaches the upstream
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read())["path"] == "/new/a/b?c=d"
    conn.close()
