"""network: a TCP filter counting bytes each way (null, wasm, Envoy tcp_proxy listener)."""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host

FILTER = Path(__file__).with_name("filter.py")


def test_counts_bytes_each_way_and_logs_them_on_close(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host = proxy_wasm_host(FILTER, properties={"source.address": "10.1.2.3:4567"})
    assert host.start()
    conn = host.tcp_connection()
    assert conn.send_downstream_data(b"hello") == Action.CONTINUE
    assert conn.send_upstream_data(b"world!!") == Action.CONTINUE
    assert conn.send_downstream_data(b"abc", end_of_stream=True) == Action.CONTINUE
    # The filter passes everything on unchanged.
    assert conn.downstream_data == b"helloabc"
    assert conn.upstream_data == b"world!!"
    conn.close_downstream()
    conn.close_upstream()
    conn.complete()
    assert host.info_logs == [
        f"#{conn.context_id} new connection from 10.1.2.3:4567",
        f"#{conn.context_id} connection from 10.1.2.3:4567 closed: "
        "8 bytes from downstream, 7 bytes from upstream",
    ]
    assert f"#{conn.context_id} downstream closed (remote)" in host.debug_logs
    assert host.metric("example_network.downstream_bytes") == 8
    assert host.metric("example_network.upstream_bytes") == 7


def test_each_connection_counts_its_own_bytes(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    first, second = host.tcp_connection(), host.tcp_connection()
    first.send_downstream_data(b"12345")
    second.send_downstream_data(b"12")
    first.complete()
    second.complete()
    closed = [m for m in host.info_logs if "closed:" in m]
    assert closed == [
        f"#{first.context_id} connection from 127.0.0.1:50000 closed: "
        "5 bytes from downstream, 0 bytes from upstream",
        f"#{second.context_id} connection from 127.0.0.1:50000 closed: "
        "2 bytes from downstream, 0 bytes from upstream",
    ]
    assert host.metric("example_network.downstream_bytes") == 7


@pytest.mark.envoy
def test_envoy_logs_the_byte_counts_of_a_proxied_connection(examples_envoy: Any) -> None:
    port = urllib.parse.urlsplit(examples_envoy.url("network")).port
    assert port is not None
    request = b"GET /over-tcp HTTP/1.1\r\nHost: example\r\nConnection: close\r\n\r\n"
    start = len(examples_envoy.records())
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):
            received += chunk
    assert received.startswith(b"HTTP/1.")
    assert b"/over-tcp" in received  # the echo server answered through the TCP proxy
    expected = f"closed: {len(request)} bytes from downstream, {len(received)} bytes from upstream"
    record = examples_envoy.wait_for_log(lambda r: expected in r.message, timeout=10, start=start)
    assert record is not None, [str(e) for e in examples_envoy.wasm_logs("network")][-5:]
    stats = examples_envoy.stats("wasmcustom.example_network")
    assert stats["wasmcustom.example_network.downstream_bytes"] >= len(request)
    assert stats["wasmcustom.example_network.upstream_bytes"] >= len(received)
