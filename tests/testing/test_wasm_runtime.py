"""The wasm runtime's adapters, against the hand-written C probe module (abi_probe.c)."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_wasm.testing import Host
from proxy_wasm.testing.wasm_runtime import IMPORTS, WasmLoadError, load_module


@pytest.fixture
def host(probe_wasm: Path) -> Host:
    h = Host(probe_wasm, runtime="wasm", vm_config="vmc", plugin_config="pc")
    assert h.start()
    return h


def test_all_39_imports_are_defined() -> None:
    assert len(IMPORTS) == 39


def test_start_reads_config_buffers_and_stdout(host: Host) -> None:
    assert host.info_logs == ["vm config: vmc", "plugin config: pc", "configured"]
    assert host.tick_period_ms == 1000


def test_on_configure_false_is_reported(probe_wasm: Path) -> None:
    assert not Host(probe_wasm, runtime="wasm", plugin_config="fail").start()


def test_header_edits_and_body_rewrite(host: Host) -> None:
    s = host.http_stream()
    action = s.send_request_headers(
        {":path": "/x", ":method": "GET", "X-Replace": "old", "x-remove": "1"}
    )
    assert action == 0
    assert s.request_headers == [
        (":path", "/x"),
        (":method", "GET"),
        ("x-replace", "new"),
        ("x-probe", "c"),
    ]
    assert s.send_request_body("abc") == 1
    assert s.send_request_body("de", end_of_stream=True) == 0
    assert s.request_body == b"<5 bytes>"
    s.send_response_headers({":status": "200"})
    assert s.response_header("x-resp") == "1"
    assert host.info_logs[-1] == "req headers in resp: 2"  # BAD_ARGUMENT in the response phase
    s.complete()
    assert host.info_logs[-1] == "log /x"  # request headers readable in on_log


def test_local_response_with_pairs(host: Host) -> None:
    s = host.http_stream()
    assert s.send_request_headers({":path": "/deny"}) == 1
    lr = s.local_response
    assert lr is not None
    assert (lr.status_code, lr.body, lr.headers, lr.grpc_status) == (
        403,
        b"denied",
        [(b"x-reason", b"probe")],
        None,
    )


def test_set_and_get_pairs_round_trip(host: Host) -> None:
    s = host.http_stream()
    s.send_request_headers({":path": "/pairs"})
    assert s.request_headers == [("a", "1"), ("b", "22")]
    assert host.info_logs[-1] == "pairs size: 29"  # the exact serialized size (abi.md 8.1)


def test_bad_log_level_status(host: Host) -> None:
    host.http_stream().send_request_headers({":path": "/status"})
    assert host.info_logs[-1] == "bad log: 2"


def test_http_callout_and_resume(host: Host) -> None:
    s = host.http_stream()
    assert s.send_request_headers({":path": "/call"}) == 1
    assert s.send_request_body("zz", end_of_stream=True) == 1  # held: stopped on headers
    (call,) = host.http_callouts()
    assert call.upstream == "upstream"
    assert call.headers == [(":method", "GET"), (":path", "/"), (":authority", "auth")]
    assert call.body == b"ping" and call.timeout_ms == 5000
    call.respond({":status": "200"}, body="pong")
    assert s.request_header("x-callout") == "pong"
    assert s.action == 0
    assert s.request_body == b"<2 bytes>"


def test_unknown_cluster_is_bad_argument(probe_wasm: Path) -> None:
    h = Host(probe_wasm, runtime="wasm", clusters=["other"])
    h.start()
    h.http_stream().send_request_headers({":path": "/call"})
    assert h.error_logs == ["http_call failed: 2"]


def test_ticks_metrics_shared_data_and_queue(host: Host) -> None:
    host.advance_time(3.5)
    assert host.metric("ticks") == 3
    assert host.shared_data[b"n"][0] == b"3"
    assert host.info_logs[-3:] == ["dequeued: tick"] * 3


def test_module_cache_and_load_errors(probe_wasm: Path, tmp_path: Path) -> None:
    assert load_module(probe_wasm) is load_module(probe_wasm)
    bad = tmp_path / "empty.wasm"
    bad.write_bytes(b"\0asm\x01\0\0\0")
    with pytest.raises(WasmLoadError, match="ABI version"):
        Host(bad, runtime="wasm")
