"""http_auth_random: the auth callout's answer lets the request through or sends a 403."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
REQUEST = {
    ":method": "GET",
    ":path": "/orders?id=7",
    ":authority": "shop",
    "authorization": "Bearer abc",
    "content-length": "0",
}


def _start(make_host: Callable[..., Host]) -> Host:
    host = make_host(FILTER, clusters=["httpbin"])
    assert host.start()
    return host


def test_request_waits_for_the_auth_call(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    assert stream.send_request_headers(REQUEST, end_of_stream=True) == Action.PAUSE
    assert stream.request_paused
    [call] = host.http_callouts()
    assert call.upstream == "httpbin"
    assert call.header(":path") == "/auth"
    assert call.header(":method") == "GET"
    assert call.header("x-original-path") == "/orders?id=7"
    assert call.header("authorization") == "Bearer abc"
    assert call.header("content-length") is None
    assert call.timeout_ms == 5000


def test_200_from_the_auth_service_resumes(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    host.http_callouts()[0].respond({":status": "200", "x-auth-user": "alice"})
    assert not stream.request_paused
    assert stream.local_response is None
    assert stream.request_header("x-auth-user") == "alice"
    assert any(m.endswith("access granted") for m in host.info_logs)


@pytest.mark.parametrize("status", ["401", "403", "500"])
def test_other_status_sends_403(proxy_wasm_host: Callable[..., Host], status: str) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    host.http_callouts()[0].respond({":status": status}, body="no")
    reply = stream.local_response
    assert reply is not None
    assert reply.status_code == 403
    assert reply.body == b"Access forbidden.\n"
    assert stream.request_header("x-auth-user") is None
    assert any(f"auth service said {status}" in m for m in host.info_logs)


def test_failed_call_sends_403(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    host.http_callouts()[0].fail()
    reply = stream.local_response
    assert reply is not None and reply.status_code == 403
    assert any("failed" in m for m in host.warn_logs)


def test_unknown_cluster_is_a_500(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, clusters=["other"])
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    reply = stream.local_response
    assert reply is not None and reply.status_code == 500
    assert host.http_callouts() == []


def _get(url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _logged(envoy: RunningEnvoy, text: str) -> bool:
    """Whether the filter logged ``text`` (waiting a little: Envoy's log arrives async)."""
    return envoy.wait_for_log(lambda record: text in record.message) is not None


@pytest.mark.envoy
def test_envoy_allows_and_forbids(examples_envoy: RunningEnvoy) -> None:
    base = examples_envoy.url("http_auth_random")
    # The echo server stands in for the auth service: x-echo-status sets its answer and
    # x-echo-header-x-auth-user makes it answer with an x-auth-user header.
    status, body = _get(base + "/allowed", {"x-echo-header-x-auth-user": "alice"})
    assert status == 200
    echoed = json.loads(body)
    assert echoed["path"] == "/allowed"
    assert echoed["headers"]["x-auth-user"] == "alice"

    status, body = _get(base + "/denied", {"x-echo-status": "401"})
    assert status == 403
    assert body == b"Access forbidden.\n"
    assert _logged(examples_envoy, "access granted")
    assert _logged(examples_envoy, "auth service said 401: access forbidden")
