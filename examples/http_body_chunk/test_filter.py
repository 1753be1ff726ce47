"""http_body_chunk: chunks stream through; a forbidden pattern gets a 403 at once."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
POST = {":method": "POST", ":path": "/upload", "content-type": "text/plain"}


def test_chunks_stream_through_and_are_counted(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(POST) == Action.CONTINUE
    assert stream.send_request_body(b"first ") == Action.CONTINUE
    assert not stream.request_paused
    assert stream.send_request_body(b"second ") == Action.CONTINUE
    assert stream.send_request_body(b"third", end_of_stream=True) == Action.CONTINUE
    assert stream.request_body == b"first second third"
    assert stream.local_response is None
    assert host.debug_logs == ["chunk 1: 6 bytes", "chunk 2: 7 bytes", "chunk 3: 5 bytes"]
    assert host.info_logs == ["request body: 18 bytes in 3 chunks"]


def test_rejects_as_soon_as_the_pattern_is_seen(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(POST)
    assert stream.send_request_body(b"all good so far, ") == Action.CONTINUE
    assert stream.send_request_body(b"this is forbidden") == Action.PAUSE
    reply = stream.local_response
    assert reply is not None
    assert reply.status_code == 403
    assert reply.body == b"request body rejected: contains 'forbidden'\n"
    assert host.warn_logs == ["chunk 2: forbidden pattern after 34 bytes, rejecting"]


def test_pattern_split_across_chunks(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(POST)
    assert stream.send_request_body(b"...forb") == Action.CONTINUE
    assert stream.send_request_body(b"idden...") == Action.PAUSE
    assert stream.local_response is not None
    assert stream.local_response.status_code == 403


def _chunks() -> Iterator[bytes]:
    for i in range(20):
        yield f"line {i:02d} of a streamed upload\n".encode()


@pytest.mark.envoy
def test_streamed_body_passes_in_envoy(examples_envoy: RunningEnvoy) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", examples_envoy.port("http_body_chunk"), 10)
    conn.request(
        "POST",
        "/upload",
        body=_chunks(),
        encode_chunked=True,
        headers={"content-type": "text/plain"},
    )
    resp = conn.getresponse()
    assert resp.status == 200
    echoed = json.loads(resp.read())
    conn.close()
    assert echoed["body"] == b"".join(_chunks()).decode()
    record = examples_envoy.wait_for_log(
        lambda r: "request body: 580 bytes in" in r.message and "http_body_chunk" in r.message
    )
    assert record is not None


@pytest.mark.envoy
def test_forbidden_chunk_rejected_before_the_body_ends_in_envoy(
    examples_envoy: RunningEnvoy,
) -> None:
    # Send the headers and ONE chunk, never the end of the body: the 403 still arrives.
    with socket.create_connection(("127.0.0.1", examples_envoy.port("http_body_chunk")), 10) as s:
        s.sendall(
            b"POST /upload HTTP/1.1\r\nhost: example\r\ncontent-type: text/plain\r\n"
            b"transfer-encoding: chunked\r\n\r\n"
        )
        chunk = b"some text, then something forbidden"
        s.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        s.settimeout(10)
        received = b""
        while b"\r\n\r\n" not in received or not received.rstrip().endswith(b"'forbidden'"):
            data = s.recv(4096)
            if not data:
                break
            received += data
    assert received.startswith(b"HTTP/1.1 403 ")
    assert b"request body rejected: contains 'forbidden'" in received
