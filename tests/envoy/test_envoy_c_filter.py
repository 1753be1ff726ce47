"""Real Envoy 1.40 serving the hand-written C filter: HTTP, TCP, remote code with sha256."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from proxy_wasm_envoy import (
    EnvoyStartError,
    ListenerSpec,
    RunningEnvoy,
    StaticServer,
    start_envoy,
)
from proxy_wasm_envoy.logs import LogRecord
from tests.http_support import echoed, get

pytestmark = pytest.mark.envoy


def test_ready_and_start_time_measured(c_envoy: RunningEnvoy) -> None:
    assert c_envoy.is_running()
    assert 0 < c_envoy.start_seconds < 30
    assert set(c_envoy.listener_ports) >= {"c_http", "c_tcp", "remote_good", "remote_bad"}
    assert c_envoy.admin_url.startswith("http://127.0.0.1:")


def test_request_and_response_headers(c_envoy: RunningEnvoy) -> None:
    status, headers, body = get(c_envoy.url("c_http") + "/hello", {"x-user": "alice"})
    assert status == 200
    assert headers["x-c-filter-response"] == "1"
    seen = echoed(body)
    assert seen["path"] == "/hello"
    assert seen["headers"]["x-c-filter"] == "1"
    assert seen["headers"]["x-user"] == "alice"


def test_local_reply_403(c_envoy: RunningEnvoy) -> None:
    status, _, body = get(c_envoy.url("c_http") + "/", {"x-deny": "1"})
    assert status == 403
    assert body == b"denied by c filter\n"
    record = c_envoy.wait_for_log(lambda r: "denying request" in r.message)
    assert record is not None and record.level == "warning"


def test_plugin_configuration_reaches_the_filter(c_envoy: RunningEnvoy) -> None:
    messages = [e.message for e in c_envoy.wasm_logs()]
    assert 'c filter configuration: {"greeting":"hi"}' in messages


def test_allow_on_headers_stop_iteration_and_failure_policy(c_envoy: RunningEnvoy) -> None:
    status, _, body = get(c_envoy.url("c_stop_iteration") + "/x")
    assert status == 200
    assert echoed(body)["headers"]["x-c-filter"] == "1"


def test_tcp_proxy_with_network_filter(c_envoy: RunningEnvoy) -> None:
    with socket.create_connection(("127.0.0.1", c_envoy.port("c_tcp")), timeout=10) as sock:
        sock.sendall(b"GET /tcp HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200")
    assert b'"/tcp"' in data
    assert c_envoy.wait_for_log(lambda r: "tcp connection" in r.message) is not None
    assert c_envoy.wait_for_log(lambda r: "downstream bytes" in r.message) is not None
    entry = next(e for e in c_envoy.wasm_logs() if "tcp connection" in e.message)
    assert entry.plugin == "c_tcp"


def test_stats_parsed(c_envoy: RunningEnvoy) -> None:
    get(c_envoy.url("c_http") + "/count")
    stats = c_envoy.stats()
    assert stats["wasm.envoy.wasm.runtime.v8.active"] >= 1
    assert stats["http.c_http.downstream_rq_completed"] >= 1
    only = c_envoy.stats("remote_load")
    assert only and all("remote_load" in k for k in only)


def test_remote_code_with_sha256_from_deploy_envoy(
    c_envoy: RunningEnvoy, wasm_files: StaticServer
) -> None:
    # the listener's filter is the exact fragment `proxy-wasm deploy envoy` printed
    assert wasm_files.hits.get("/c_filter.wasm", 0) >= 1
    status, headers, body = get(c_envoy.url("remote_good") + "/remote")
    assert status == 200
    assert echoed(body)["headers"]["x-c-filter"] == "1"
    assert headers["x-c-filter-response"] == "1"
    assert 'c filter configuration: {"remote": true}' in [e.message for e in c_envoy.wasm_logs()]
    assert c_envoy.stats("remote_load")["wasm.remote_load_fetch_successes"] >= 1


def test_remote_code_wrong_sha256_rejected(c_envoy: RunningEnvoy) -> None:
    status, _, _ = get(c_envoy.url("remote_bad") + "/x")
    assert status == 503  # fail closed: the plugin did not load
    assert c_envoy.stats("remote_load")["wasm.remote_load_fetch_failures"] >= 1
    assert any("remote_bad failed to load" in line for line in c_envoy.logs())


def test_on_configure_false_rejects_plugin_with_one_line(c_filter_wasm: Path) -> None:
    with pytest.raises(EnvoyStartError) as info:
        start_envoy([ListenerSpec("reject", wasm_path=c_filter_wasm, config='"reject"')])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("Envoy did not start: ")
    assert message == (
        "Envoy did not start: Unable to create Wasm plugin reject: Failed to configure base "
        "Wasm plugin (the filter logged: c filter: configuration rejected)"
    )
    assert "configuration rejected" in info.value.log


def test_log_records_group_continuation_lines() -> None:
    from proxy_wasm_envoy.logs import first_error, parse_lines

    lines = [
        "[2026-01-01 00:00:00.000][1][error][wasm] wasm log p root vm: Traceback (most recent",
        '  File "filter.py", line 3, in on_http_request_headers',
        "ValueError: boom",
        "[2026-01-01 00:00:00.001][1][info][main] next",
    ]
    records = list(parse_lines(lines))
    assert len(records) == 2
    entry = records[0].wasm()
    assert entry is not None
    assert entry.plugin == "p" and entry.ids == ("root", "vm")
    assert entry.message.endswith("ValueError: boom")
    assert first_error(records) == (
        'wasm log p root vm: Traceback (most recent File "filter.py", line 3, in '
        "on_http_request_headers ValueError: boom"
    )
    assert isinstance(records[1], LogRecord) and records[1].wasm() is None
