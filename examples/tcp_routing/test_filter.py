"""tcp_routing: pick the tcp_proxy cluster by source or first bytes (null, wasm, Envoy)."""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from proxy_wasm import Action
from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

HERE = Path(__file__).parent
FILTER = HERE / "filter.py"
CONFIG = yaml.safe_load((HERE / "example.yaml").read_text())["config"]


def _decode(message: bytes) -> dict[int, bytes | int]:
    """A minimal protobuf decoder (varint and length-delimited fields)."""
    fields: dict[int, bytes | int] = {}
    i = 0

    def varint() -> int:
        nonlocal i
        shift = value = 0
        while True:
            byte = message[i]
            i += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                return value

    while i < len(message):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            fields[number] = varint()
        elif wire == 2:
            size = varint()
            fields[number] = message[i : i + size]
            i += size
        else:
            raise AssertionError(f"unexpected wire type {wire}")
    return fields


def _host(make: Callable[..., Host], source: str = "127.0.0.1:40000") -> tuple[Host, list[Any]]:
    host = make(FILTER, plugin_config=CONFIG, properties={"source.address": source})
    calls: list[dict[int, bytes | int]] = []

    def set_envoy_filter_state(args: bytes) -> bytes:
        calls.append(_decode(args))
        return b""

    host.register_foreign_function("set_envoy_filter_state", set_envoy_filter_state)
    assert host.start()
    return host, calls


def test_routes_by_source_address_when_the_connection_opens(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host, calls = _host(proxy_wasm_host, source="127.0.0.2:5555")
    conn = host.tcp_connection()
    assert conn.action == Action.CONTINUE  # decided at once: tcp_proxy may connect
    assert calls == [{1: b"envoy.tcp_proxy.cluster", 2: b"tcp_routing_internal", 3: 2}]
    assert f"#{conn.context_id} source 127.0.0.2 -> cluster tcp_routing_internal" in host.info_logs
    assert conn.send_downstream_data(b"GET /beta HTTP/1.1\r\n") == Action.CONTINUE
    assert len(calls) == 1  # the first bytes do not route it again


def test_routes_by_first_bytes_waiting_until_they_decide(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host, calls = _host(proxy_wasm_host)
    conn = host.tcp_connection()
    assert conn.action == Action.PAUSE  # tcp_proxy waits for the decision
    assert conn.send_downstream_data(b"GET /be") == Action.PAUSE  # could still be "GET /beta"
    assert calls == []
    assert conn.send_downstream_data(b"ta HTTP/1.1\r\n\r\n") == Action.CONTINUE
    assert calls == [{1: b"envoy.tcp_proxy.cluster", 2: b"tcp_routing_beta", 3: 2}]
    assert conn.downstream_data == b"GET /beta HTTP/1.1\r\n\r\n"  # forwarded unchanged
    assert any("prefix 'GET /beta' -> cluster tcp_routing_beta" in m for m in host.info_logs)


def test_unmatched_connection_keeps_the_listener_cluster(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host, calls = _host(proxy_wasm_host)
    conn = host.tcp_connection()
    assert conn.send_downstream_data(b"GET /alpha HTTP/1.1\r\n\r\n") == Action.CONTINUE
    assert calls == []
    assert conn.downstream_data == b"GET /alpha HTTP/1.1\r\n\r\n"
    assert f"#{conn.context_id} no rule matched: the listener's cluster" in host.info_logs


def test_a_host_without_the_foreign_function_logs_an_error(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host = proxy_wasm_host(
        FILTER, plugin_config=CONFIG, properties={"source.address": "127.0.0.2:1"}
    )
    assert host.start()
    conn = host.tcp_connection()
    assert conn.action == Action.CONTINUE
    assert any("cannot route to tcp_routing_internal" in m for m in host.error_logs)


# -- Envoy ---------------------------------------------------------------------------------------


def _exchange(port: int, path: str, source: str = "127.0.0.1") -> bytes:
    request = f"GET {path} HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n".encode()
    received = b""
    with socket.create_connection(
        ("127.0.0.1", port), timeout=10, source_address=(source, 0)
    ) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _connections(envoy: RunningEnvoy, cluster: str) -> int:
    return envoy.stats(f"cluster.{cluster}.upstream_cx_total").get(
        f"cluster.{cluster}.upstream_cx_total", 0
    )


@pytest.mark.envoy
def test_envoy_tcp_proxy_connects_to_the_cluster_the_filter_chose(examples_envoy: Any) -> None:
    port = urllib.parse.urlsplit(examples_envoy.url("tcp_routing")).port
    assert port is not None
    clusters = ("tcp_routing_beta", "tcp_routing_internal")
    before = {c: _connections(examples_envoy, c) for c in clusters}

    reply = _exchange(port, "/beta/x")  # first bytes "GET /beta"
    assert reply.startswith(b"HTTP/1.1 200") and b"/beta/x" in reply
    assert _connections(examples_envoy, "tcp_routing_beta") == before["tcp_routing_beta"] + 1

    reply = _exchange(port, "/alpha", source="127.0.0.2")  # by source, whatever the bytes
    assert reply.startswith(b"HTTP/1.1 200") and b"/alpha" in reply
    assert (
        _connections(examples_envoy, "tcp_routing_internal") == before["tcp_routing_internal"] + 1
    )

    reply = _exchange(port, "/alpha")  # no rule: the listener's cluster
    assert reply.startswith(b"HTTP/1.1 200") and b"/alpha" in reply
    assert {c: _connections(examples_envoy, c) for c in clusters} == {
        "tcp_routing_beta": before["tcp_routing_beta"] + 1,
        "tcp_routing_internal": before["tcp_routing_internal"] + 1,
    }
    messages = [e.message for e in examples_envoy.wasm_logs("tcp_routing")]
    assert any("prefix 'GET /beta' -> cluster tcp_routing_beta" in m for m in messages)
    assert any("source 127.0.0.2 -> cluster tcp_routing_internal" in m for m in messages)
