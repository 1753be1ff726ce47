"""Config generation checked by `envoy --mode validate`, the CLI (run/deploy/inspect), upstream,
the .wasm reader and the proxy table."""

from __future__ import annotations

import json
import os
import signal
import urllib.request
from pathlib import Path

import pytest
import yaml

from proxy_wasm_cli import main as cli_main
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.proxies import get_proxy, loads_on, missing_imports
from proxy_wasm_compiler.wasm_module import FuncType, Import, parse_module
from proxy_wasm_envoy import (
    ClusterSpec,
    EchoServer,
    ListenerSpec,
    PluginSpec,
    bootstrap,
    remote_plugin,
    sha256_file,
    validate_config,
    write_config,
)
from tests.http_support import start_run

pytestmark = pytest.mark.envoy


def test_full_bootstrap_validates(c_filter_wasm: Path, tmp_path: Path) -> None:
    remote, code_cluster = remote_plugin("https://files.example.com/f.wasm", "ab" * 32)
    config = bootstrap(
        [
            ListenerSpec(
                "http",
                wasm_path=c_filter_wasm,
                config={"a": [1, 2]},
                port=10001,
                root_id="r",
                vm_id="v",
                vm_config="vm",
                failure_policy="open",
                allow_on_headers_stop_iteration=True,
            ),
            ListenerSpec("tcp", wasm_path=c_filter_wasm, kind="tcp", port=10002),
            ListenerSpec(
                "two",
                port=10003,
                plugins=[
                    PluginSpec(wasm_path=c_filter_wasm, name="first", failure_policy="FAIL_RELOAD"),
                    remote,
                ],
            ),
        ],
        [ClusterSpec("upstream", 8080), ClusterSpec("grpc", 50051, http2=True), code_cluster],
    )
    # tcmalloc returns the pages V8 frees after compiling a module (and Envoy accepts it).
    assert config["memory_allocator_manager"]["bytes_to_release"] > 0
    validate_config(write_config(config, tmp_path / "envoy.yaml"))
    validate_config(write_config(config, tmp_path / "envoy.json"))


def test_invalid_bootstrap_gives_one_line(tmp_path: Path) -> None:
    config = bootstrap([ListenerSpec("x", port=1)], [ClusterSpec("upstream", 8080)])
    config["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"][
        "codec_type"
    ] = "NOPE"
    with pytest.raises(UserError) as info:
        validate_config(write_config(config, tmp_path / "bad.yaml"))
    assert "\n" not in str(info.value) and "NOPE" in str(info.value)


def test_bad_failure_policy_is_a_user_error(c_filter_wasm: Path) -> None:
    with pytest.raises(UserError, match="unknown failure policy"):
        PluginSpec(wasm_path=c_filter_wasm, failure_policy="sometimes").to_dict()


def test_deploy_envoy_full_and_fragment_validate(
    c_filter_wasm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    full = tmp_path / "full.yaml"
    assert (
        cli_main(
            [
                "deploy",
                "envoy",
                str(c_filter_wasm),
                "--url",
                "https://cdn.example.com/x/f.wasm",
                "--full",
                "-o",
                str(full),
                "--config",
                '{"k": 1}',
                "--failure-policy",
                "FAIL_OPEN",
            ]
        )
        == 0
    )
    data = yaml.safe_load(full.read_text())
    plugin = data["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0][
        "typed_config"
    ]["http_filters"][0]["typed_config"]["config"]
    assert plugin["vm_config"]["code"]["remote"]["sha256"] == sha256_file(c_filter_wasm)
    assert plugin["configuration"]["value"] == '{"k": 1}'
    validate_config(full)

    capsys.readouterr()
    assert (
        cli_main(
            ["deploy", "envoy", "--url", "http://127.0.0.1:8000/f.wasm", "--sha256", "cd" * 32]
        )
        == 0
    )
    fragment = yaml.safe_load(capsys.readouterr().out)
    config = bootstrap(
        [ListenerSpec("l", port=10005, extra_http_filters=fragment["http_filters"])],
        [ClusterSpec("upstream", 8080)],
    )
    config["static_resources"]["clusters"].extend(fragment["clusters"])
    validate_config(write_config(config, tmp_path / "fragment.yaml"))


def test_deploy_envoy_errors(c_filter_wasm: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        cli_main(
            [
                "deploy",
                "envoy",
                str(c_filter_wasm),
                "--url",
                "http://h/f.wasm",
                "--sha256",
                "00" * 32,
            ]
        )
        == 2
    )
    assert "does not match" in capsys.readouterr().err
    assert cli_main(["deploy", "envoy", "--url", "ftp://h/f.wasm", "--sha256", "00" * 32]) == 2
    assert cli_main(["deploy", "envoy", "--url", "http://h/f.wasm"]) == 2
    err = capsys.readouterr().err
    assert err.count("error:") == 2 and "Traceback" not in err


def test_run_print_config_validates(
    c_filter_wasm: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        cli_main(
            ["run", str(c_filter_wasm), "--print-config", "--config", '{"a": 1}', "--port", "10007"]
        )
        == 0
    )
    out = capsys.readouterr().out
    path = tmp_path / "run.yaml"
    path.write_text(out)
    validate_config(path)
    assert '{"a": 1}' in out


def test_run_serves_and_stops_on_ctrl_c(c_filter_wasm: Path) -> None:
    proc, url, lines = start_run(
        str(c_filter_wasm), "--port", "0", "--config", '{"run": 1}', timeout=60
    )
    try:
        with urllib.request.urlopen(url + "/hello", timeout=10) as resp:
            seen = json.loads(resp.read())
        assert seen["headers"]["x-c-filter"] == "1"
        assert any('c filter configuration: {"run": 1}' in ln for ln in lines)
        os.kill(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "Envoy stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_run_missing_file_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["run", "/nonexistent/filter.wasm"]) == 2
    assert capsys.readouterr().err.strip() == "error: /nonexistent/filter.wasm: no such file"


def test_echo_server_returns_request() -> None:
    with EchoServer() as echo:
        req = urllib.request.Request(
            echo.url + "/p?q=1",
            data=b"body",
            method="POST",
            headers={"x-a": "1", "x-echo-header-x-back": "yes"},
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            seen = json.loads(resp.read())
            assert resp.headers["x-back"] == "yes"
        assert seen["method"] == "POST" and seen["path"] == "/p?q=1"
        assert seen["headers"]["x-a"] == "1" and seen["body"] == "body"
        assert echo.requests[-1]["path"] == "/p?q=1"


def test_inspect_text_and_json(c_filter_wasm: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["inspect", str(c_filter_wasm)]) == 0
    text = capsys.readouterr().out
    assert "ABI version      0.2.1" in text
    assert "proxy_on_request_headers" in text
    assert "env (5): " in text
    assert "Envoy 1.40" in text and "yes" in text
    assert cli_main(["inspect", str(c_filter_wasm), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["abi_version"] == "0.2.1"
    assert report["size"] == c_filter_wasm.stat().st_size
    assert {p["proxy"]: p["loads"] for p in report["proxies"]} == {
        "envoy-1.40": True,
        "envoy-1.33": True,
        "envoy-1.32": True,
    }
    imp = next(i for i in report["imports"] if i["name"] == "proxy_log")
    assert imp["type"] == "(i32, i32, i32) -> (i32)"


def test_inspect_not_wasm_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.wasm"
    bad.write_text("hello")
    assert cli_main(["inspect", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"error: {bad}: not a WebAssembly module (no \\0asm header)"


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _section(sid: int, payload: bytes) -> bytes:
    return bytes([sid]) + _leb(len(payload)) + payload


def _name(s: str) -> bytes:
    return _leb(len(s)) + s.encode()


def test_wasm_reader_custom_section_and_imports() -> None:
    types = _section(1, _leb(1) + b"\x60" + _leb(2) + b"\x7f\x7f" + _leb(1) + b"\x7f")
    imports = _section(
        2,
        _leb(2)
        + _name("wasi_snapshot_preview1")
        + _name("fd_filestat_get")
        + b"\x00"
        + _leb(0)
        + _name("env")
        + _name("memory")
        + b"\x02\x00"
        + _leb(17),
    )
    info = {
        "sdk_version": "0.1.0",
        "python_version": "3.11.8",
        "frozen_modules": ["json"],
        "root_ids": [""],
        "source": "filter.py",
    }
    custom = _section(0, _name("proxy-wasm-python") + json.dumps(info).encode())
    module = parse_module(b"\x00asm\x01\x00\x00\x00" + types + imports + custom)
    assert module.build_info() == info
    assert module.imports[0].type == FuncType(("i32", "i32"), ("i32",))
    assert module.memory is not None and module.memory.minimum == 17
    assert module.abi_version is None
    with pytest.raises(UserError, match="truncated"):
        parse_module(b"\x00asm\x01\x00\x00\x00" + types[:-2])


def test_proxy_table() -> None:
    wasi = "wasi_snapshot_preview1"
    fd_filestat = Import(wasi, "fd_filestat_get", "func", FuncType(("i32", "i32"), ("i32",)))
    assert missing_imports([fd_filestat], "envoy-1.40") == []
    assert [m.name for m in missing_imports([fd_filestat], "envoy-1.33")] == ["fd_filestat_get"]
    assert missing_imports([(wasi, "poll_oneoff")], "envoy-1.33") == []
    assert missing_imports([(wasi, "poll_oneoff")], "envoy-1.32")
    link = missing_imports([(wasi, "path_link")], "envoy-1.40")
    assert link and "import type mismatch" in link[0].reason
    assert missing_imports([(wasi, "proc_raise")], "envoy-1.40")
    assert missing_imports([("env", "proxy_get_log_level")], "envoy-1.32", "0.2.1") == []
    assert missing_imports([("env", "proxy_continue_request")], "envoy-1.40", "0.2.1")
    assert missing_imports([("other", "f")], "envoy-1.40")
    assert len(get_proxy("envoy-1.40").wasi) == 45
    assert set(loads_on([])) == {"envoy-1.40", "envoy-1.33", "envoy-1.32"}
