"""The CLI tells a user's mistake (exit 2, one line) from a failed tool (exit 1, its output).

Both paths go through ``main(argv)`` with real subprocesses: a stand-in Envoy (a shell script
named by ``PROXY_WASM_ENVOY``) that dies without a word or refuses with a reason, and a linker
that crashes.
"""

from __future__ import annotations

import dataclasses
import stat
import sys
from pathlib import Path

import pytest

import proxy_wasm_compiler.build
from proxy_wasm_cli import BROKEN_TOOL, main
from proxy_wasm_compiler.toolchain import find_toolchain


def fake_envoy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, code: int) -> None:
    script = tmp_path / "envoy"
    script.write_text(f"#!/bin/sh\n{body}\nexit {code}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PROXY_WASM_ENVOY", str(script))


def test_envoy_dying_without_a_reason_is_a_tool_failure(
    tiny_module: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_envoy(tmp_path, monkeypatch, "echo 'segfault-ish noise' >&2", 3)
    code = main(["run", str(tiny_module), "--port", "0"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "error: Envoy did not start: exit code 3" in err
    assert BROKEN_TOOL in err
    assert "segfault-ish noise" in err  # the tool's own output follows
    assert "Traceback" not in err


def test_envoy_refusing_with_a_reason_is_a_user_mistake(
    tiny_module: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = (
        "[2026-01-01 00:00:00.000][1][critical][main] error initializing configuration "
        "'envoy.yaml': `Unable to create Wasm plugin filter: Failed to configure base Wasm plugin`"
    )
    (tmp_path / "said.log").write_text(line + "\n")
    fake_envoy(tmp_path, monkeypatch, f"cat {tmp_path / 'said.log'} >&2", 1)
    code = main(["run", str(tiny_module), "--port", "0"])
    err = capsys.readouterr().err
    assert code == 2, err
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert errors == [
        "error: Envoy did not start: Unable to create Wasm plugin filter: "
        "Failed to configure base Wasm plugin"
    ]
    assert BROKEN_TOOL not in err


def test_a_crashing_linker_is_a_tool_failure(
    hello_filter: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crash = "import sys; sys.stderr.write('zig: internal compiler error\\n'); sys.exit(70)"
    broken = dataclasses.replace(find_toolchain(), zig_command=(sys.executable, "-c", crash))
    monkeypatch.setattr(proxy_wasm_compiler.build, "find_toolchain", lambda: broken)
    code = main(["build", str(hello_filter), "-o", str(tmp_path / "hello.wasm")])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "error: " in err and "failed (exit code 70)" in err
    assert BROKEN_TOOL in err
    assert "zig: internal compiler error" in err
    assert not (tmp_path / "hello.wasm").exists()


def test_a_missing_filter_is_a_user_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["build", str(tmp_path / "absent.py")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
    assert BROKEN_TOOL not in err
