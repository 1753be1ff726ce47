"""jwt_claims: good tokens pass with the claim in a header; bad ones get a 401 saying why."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm import Action
from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
SECRET = "example-secret"
CONFIG = {"secret": SECRET, "claim": "sub", "header": "x-jwt-sub"}
NOW = 1_767_225_600  # the emulated clock, seconds


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(claims: dict[str, Any], secret: str = SECRET, alg: str = "HS256") -> str:
    head = b64(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64(sig)}"


def start(make_host: Callable[..., Host]) -> Host:
    host = make_host(FILTER, plugin_config=CONFIG, start_time_ns=NOW * 1_000_000_000)
    assert host.start()
    return host


def test_valid_token_puts_the_claim_in_a_header(proxy_wasm_host: Callable[..., Host]) -> None:
    host = start(proxy_wasm_host)
    stream = host.http_stream()
    token = make_jwt({"sub": "alice", "exp": NOW + 60, "nbf": NOW - 60})
    headers = {":path": "/", "authorization": f"Bearer {token}", "x-jwt-sub": "mallory"}
    assert stream.send_request_headers(headers, True) == Action.CONTINUE
    assert [v for k, v in stream.request_headers if k == "x-jwt-sub"] == ["alice"]
    assert stream.local_response is None


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "missing bearer token"),
        ("Basic dXNlcjpwYXNz", "missing bearer token"),
        ("Bearer not.a-token", "malformed token"),
        ("Bearer a.b.c", "malformed token"),
        ("Bearer " + make_jwt({"sub": "a"}, secret="other"), "bad signature"),
        ("Bearer " + make_jwt({"sub": "a"}, alg="none"), "unsupported alg 'none'"),
        ("Bearer " + make_jwt({"sub": "a", "exp": NOW}), "token expired"),
        ("Bearer " + make_jwt({"sub": "a", "nbf": NOW + 10}), "token not yet valid"),
        ("Bearer " + make_jwt({"name": "a"}), "claim 'sub' missing"),
    ],
)
def test_bad_tokens_get_401(
    proxy_wasm_host: Callable[..., Host], authorization: str | None, reason: str
) -> None:
    host = start(proxy_wasm_host)
    stream = host.http_stream()
    headers = {":path": "/"}
    if authorization is not None:
        headers["authorization"] = authorization
    assert stream.send_request_headers(headers, True) == Action.PAUSE
    reply = stream.local_response
    assert reply is not None
    assert reply.status_code == 401
    assert reply.body == f"unauthorized: {reason}\n".encode()
    challenge = f'Bearer error="invalid_token", error_description="{reason}"'
    assert (b"www-authenticate", challenge.encode()) in reply.headers
    assert host.info_logs == [f"401: {reason}"]


def test_token_expires_with_the_clock(proxy_wasm_host: Callable[..., Host]) -> None:
    host = start(proxy_wasm_host)
    token = make_jwt({"sub": "bob", "exp": NOW + 30})
    stream = host.http_stream()
    assert (
        stream.send_request_headers({"authorization": f"Bearer {token}"}, True) == Action.CONTINUE
    )
    host.advance_time(31)
    stream = host.http_stream()
    assert stream.send_request_headers({"authorization": f"Bearer {token}"}, True) == Action.PAUSE
    assert stream.local_response is not None
    assert stream.local_response.body == b"unauthorized: token expired\n"


def test_secret_is_required(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, plugin_config={"claim": "sub"})
    assert host.start_vm()
    assert not host.start_plugin()
    assert host.error_logs[0] == "invalid plugin configuration: $: missing required key 'secret'"


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", examples_envoy.port("jwt_claims"), timeout=10)
    token = make_jwt({"sub": "alice", "exp": int(time.time()) + 3600})
    conn.request("GET", "/api", headers={"authorization": f"Bearer {token}"})
    resp = conn.getresponse()
    assert resp.status == 200
    assert json.loads(resp.read())["headers"]["x-jwt-sub"] == "alice"

    expired = make_jwt({"sub": "alice", "exp": int(time.time()) - 10})
    conn.request("GET", "/api", headers={"authorization": f"Bearer {expired}"})
    resp = conn.getresponse()
    assert resp.status == 401
    assert resp.read() == b"unauthorized: token expired\n"
    assert 'error="invalid_token"' in (resp.getheader("www-authenticate") or "")
    conn.close()
