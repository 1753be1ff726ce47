"""The module's dynamic-module ABI is the one Envoy 1.40 was built with."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from proxy_wasm_envoy import find_envoy
from proxy_wasm_envoy.native import NATIVE_DIR, native_listener
from tests.native.conftest import native_envoy

pytestmark = pytest.mark.envoy
HELLO = Path(__file__).resolve().parents[2] / "examples" / "hello_world" / "filter.py"


def abi_version_lines(lines: list[str]) -> list[str]:
    """Envoy's verdict on the module's ABI version (one line per load)."""
    return [line for line in lines if "Dynamic module ABI version" in line]


def test_envoy_logs_that_the_abi_version_matched(native_module: Path) -> None:
    with native_envoy([native_listener("hello", HELLO)], log_level="info") as envoy:
        verdicts = abi_version_lines(envoy.logs())
    assert verdicts, "Envoy did not log the module's ABI version"
    for line in verdicts:
        assert "v0.2.0 matched" in line, f"ABI version mismatch: {line}"


def test_a_mismatch_would_fail_the_check() -> None:
    line = (
        "[2026-01-01 00:00:00.000][1][warning][dynamic_modules] Dynamic module ABI version "
        "v0.1.0 is deprecated. Please recompile the module"
    )
    assert abi_version_lines([line]) and "matched" not in line


def test_every_declared_callback_is_exported_by_envoy() -> None:
    nm = shutil.which("nm")
    if nm is None:
        pytest.skip("nm (binutils) is not installed")
    header = (NATIVE_DIR / "envoy_abi.h").read_text()
    declared = set(re.findall(r"\b(envoy_dynamic_module_callback_\w+)\(", header))
    assert declared
    out = subprocess.run(
        [nm, "-D", "--defined-only", find_envoy()], capture_output=True, text=True, check=True
    ).stdout
    exported = {line.split()[-1] for line in out.splitlines() if line.strip()}
    assert declared <= exported, sorted(declared - exported)
