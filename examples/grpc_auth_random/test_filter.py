"""grpc_auth_random: the gRPC auth call's status lets the request through or sends a 403."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action, GrpcStatus
from proxy_wasm.grpc import grpc_service
from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
REQUEST = {
    ":method": "GET",
    ":path": "/orders",
    ":authority": "shop",
    "authorization": "Bearer good-alice",
}


def _start(make_host: Callable[..., Host]) -> Host:
    host = make_host(FILTER, clusters=["grpc_auth"])
    assert host.start()
    return host


def test_grpc_service_bytes() -> None:
    # GrpcService{envoy_grpc: EnvoyGrpc{cluster_name: "grpc_auth"}}
    assert grpc_service("grpc_auth") == b"\x0a\x0b\x0a\x09grpc_auth"
    assert grpc_service("c", "a.b") == b"\x0a\x08\x0a\x01c\x12\x03a.b"


def test_request_waits_for_the_grpc_call(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    assert stream.send_request_headers(REQUEST, end_of_stream=True) == Action.PAUSE
    assert stream.request_paused
    [call] = host.grpc_calls()
    assert call.kind == "unary"
    assert call.upstream == grpc_service("grpc_auth")
    assert (call.service, call.method) == ("auth.Authorizer", "Check")
    assert call.messages == [b"good-alice"]
    assert call.initial_metadata == [("x-original-path", "/orders")]
    assert call.timeout_ms == 5000


def test_ok_resumes_with_the_user(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    host.grpc_calls()[0].respond(b"user:alice")
    assert not stream.request_paused
    assert stream.local_response is None
    assert stream.request_header("x-auth-user") == "alice"
    assert any(m.endswith("access granted to alice") for m in host.info_logs)


def test_error_status_sends_403(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _start(proxy_wasm_host)
    stream = host.http_stream()
    stream.send_request_headers({**REQUEST, "authorization": "Bearer nope"}, end_of_stream=True)
    call = host.grpc_calls()[0]
    assert call.messages == [b"nope"]
    call.respond(status=GrpcStatus.PERMISSION_DENIED, status_message="bad token")
    reply = stream.local_response
    assert reply is not None and reply.status_code == 403
    assert reply.body == b"Access forbidden.\n"
    assert stream.request_header("x-auth-user") is None
    assert any("PERMISSION_DENIED (bad token): access forbidden" in m for m in host.info_logs)


def test_unknown_cluster_is_a_500(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, clusters=["other"])
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    reply = stream.local_response
    assert reply is not None and reply.status_code == 500
    assert host.grpc_calls() == []


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
def test_envoy_grpc_auth(examples_envoy: RunningEnvoy) -> None:
    base = examples_envoy.url("grpc_auth_random")
    status, body = _get(base + "/allowed", {"authorization": "Bearer good-bob"})
    assert status == 200, body
    echoed = json.loads(body)
    assert echoed["path"] == "/allowed"
    assert echoed["headers"]["x-auth-user"] == "bob"

    status, body = _get(base + "/denied", {"authorization": "Bearer forged"})
    assert status == 403
    assert body == b"Access forbidden.\n"
    assert _logged(examples_envoy, "access granted to bob")
    # Envoy's async gRPC client appends "{via_upstream}" to the status message.
    assert _logged(examples_envoy, "auth service said PERMISSION_DENIED (bad token")
