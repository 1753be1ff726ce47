"""set_cookie: a session cookie is added once, and the upstream's set-cookie lines are kept."""

from __future__ import annotations

import http.client
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
ATTRS = "Path=/; HttpOnly; SameSite=Lax; Max-Age=3600"


def test_adds_a_session_cookie_keeping_the_upstreams(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "x-request-id": "ab-cd-12"}, True)
    stream.send_response_headers(
        [(":status", "200"), ("set-cookie", "theme=dark"), ("set-cookie", "lang=en")], True
    )
    assert [v for k, v in stream.response_headers if k == "set-cookie"] == [
        "theme=dark",
        "lang=en",
        f"session=abcd12; {ATTRS}",
    ]
    assert host.info_logs == ["new session abcd12"]


def test_no_new_cookie_when_the_client_has_one(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(
        [(":path", "/"), ("cookie", "theme=dark"), ("cookie", "a=1; session=xyz")], True
    )
    stream.send_response_headers([(":status", "200"), ("set-cookie", "theme=light")], True)
    assert [v for k, v in stream.response_headers if k == "set-cookie"] == ["theme=light"]
    assert host.info_logs == []


def test_a_similar_name_is_not_a_session(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, start_time_ns=1_234)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "cookie": "sessionid=1"}, True)
    stream.send_response_headers({":status": "200"}, True)
    assert stream.response_header("set-cookie") == f"session=1234; {ATTRS}"


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", examples_envoy.port("set_cookie"), timeout=10)
    # the echo upstream answers with a set-cookie line per x-echo-header-set-cookie header
    conn.putrequest("GET", "/")
    conn.putheader("x-echo-header-set-cookie", "theme=dark")
    conn.putheader("x-echo-header-set-cookie", "lang=en")
    conn.endheaders()
    resp = conn.getresponse()
    resp.read()
    cookies = resp.headers.get_all("set-cookie") or []
    assert cookies[:2] == ["theme=dark", "lang=en"]
    assert len(cookies) == 3
    assert cookies[2].startswith("session=") and cookies[2].endswith("; " + ATTRS)
    session = cookies[2].split(";", 1)[0]

    conn.request("GET", "/", headers={"cookie": session, "x-echo-header-set-cookie": "a=b"})
    resp = conn.getresponse()
    resp.read()
    assert resp.headers.get_all("set-cookie") == ["a=b"]
    conn.close()
