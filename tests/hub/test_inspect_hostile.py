"""``proxy-wasm inspect`` on a module whose metadata lies: one error line or inert text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proxy_wasm_cli import main
from proxy_wasm_compiler.metadata import METADATA_SECTION, append_custom_section
from tests.hub.test_hub_hostile import HOSTILE_TEXT, _assert_inert


def _with_section(tiny_module: Path, tmp_path: Path, payload: bytes) -> Path:
    out = tmp_path / "m.wasm"
    out.write_bytes(append_custom_section(tiny_module.read_bytes(), METADATA_SECTION, payload))
    return out


def test_nested_metadata_is_one_error_line(
    tiny_module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _with_section(tiny_module, tmp_path, b"[" * 100_000 + b"]" * 100_000)
    rc = main(["inspect", str(module)])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ") and err.count("\n") == 1, err
    assert str(module) in err and METADATA_SECTION in err


def test_metadata_strings_are_printed_inert(
    tiny_module: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = {
        "sdk_version": HOSTILE_TEXT,
        "python_version": HOSTILE_TEXT,
        "source": HOSTILE_TEXT,
        "root_ids": [HOSTILE_TEXT],
        "frozen_modules": [HOSTILE_TEXT],
    }
    module = _with_section(tiny_module, tmp_path, json.dumps(info).encode())
    assert main(["inspect", str(module)]) == 0
    out = capsys.readouterr().out
    _assert_inert(out)
    assert "pwned" in out
