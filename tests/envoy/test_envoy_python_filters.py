"""Compiled Python filters (tests/envoy/filters/) in ONE real Envoy 1.40 on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proxy_wasm_cli import main as cli_main
from proxy_wasm_envoy import EnvoyStartError, ListenerSpec, RunningEnvoy, start_envoy
from tests.http_support import echoed, get

pytestmark = pytest.mark.envoy


def test_request_and_response_header_mutation(py_envoy: RunningEnvoy) -> None:
    status, headers, body = get(
        py_envoy.url("headers") + "/h", {"x-user": "alice", "x-remove-me": "1"}
    )
    assert status == 200
    assert headers["x-powered-by"] == "proxy-wasm-python"
    seen = echoed(body)["headers"]
    assert seen["x-python-filter"] == "request"
    assert "x-remove-me" not in seen
    assert seen["x-user"] == "alice"


def test_local_reply_403(py_envoy: RunningEnvoy) -> None:
    status, headers, body = get(py_envoy.url("headers") + "/", {"x-user": "blocked"})
    assert status == 403
    assert body == b"denied\n"
    assert headers["x-denied-by"] == "python"


def test_json_plugin_configuration(py_envoy: RunningEnvoy) -> None:
    status, _, body = get(py_envoy.url("config") + "/c")
    assert status == 200
    assert echoed(body)["headers"]["x-from-config"] == "json-works"
    assert any("configured header x-from-config" in e.message for e in py_envoy.wasm_logs())


def test_exception_logs_one_traceback_and_envoy_keeps_running(py_envoy: RunningEnvoy) -> None:
    start = len(py_envoy.records())
    status, _, _ = get(py_envoy.url("raising") + "/raise/me")
    assert status == 500  # default exception policy: a 500 local reply
    record = py_envoy.wait_for_log(
        lambda r: r.level == "error" and r.is_wasm_log and "boom on /raise/me" in r.message,
        start=start,
    )
    assert record is not None
    assert "Traceback" in record.message
    assert "raising_filter.py" in record.message and "check_path" in record.message
    errors = [
        r for r in py_envoy.records()[start:] if r.is_wasm_log and "boom on /raise/me" in r.message
    ]
    assert len(errors) == 1
    status, _, body = get(py_envoy.url("raising") + "/fine")
    assert status == 200 and echoed(body)["headers"]["x-survived"] == "yes"
    assert py_envoy.is_running()


def test_on_configure_false_rejected_with_one_line(python_filters: dict[str, Path]) -> None:
    with pytest.raises(EnvoyStartError) as info:
        start_envoy(
            [
                ListenerSpec(
                    "reject", wasm_path=python_filters["config_filter"], config={"reject": True}
                )
            ]
        )
    message = str(info.value)
    assert "\n" not in message
    assert "Unable to create Wasm plugin reject" in message
    assert "configuration rejected on purpose" in message


def test_inspect_python_module(
    python_filters: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_main(["inspect", str(python_filters["headers_filter"]), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["abi_version"] == "0.2.1"
    assert report["python_version"].startswith("3.11")
    assert report["sdk_version"]
    assert report["frozen_modules"]
    loads = {p["proxy"]: p["loads"] for p in report["proxies"]}
    assert loads["envoy-1.40"] is True


def test_start_to_ready_reported(py_envoy: RunningEnvoy) -> None:
    print(f"Envoy start-to-ready with 3 Python filters: {py_envoy.start_seconds:.2f} s")
    assert py_envoy.start_seconds < 60
