"""``proxy-wasm test``: a broken suite or filter is one located ``error:`` line, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_wasm_cli import main

GOOD_FILTER = Path(__file__).parents[2] / "examples" / "http_headers" / "filter.py"
ONE_TEST = 'tests:\n  - name: t\n    request_headers: {input: {headers: {":path": "/"}}}\n'


def _suite(tmp_path: Path, filter_name: str, filter_bytes: bytes | None) -> Path:
    if filter_bytes is not None:
        (tmp_path / filter_name).write_bytes(filter_bytes)
    suite = tmp_path / "suite.yaml"
    suite.write_text(f"filter: {filter_name}\n{ONE_TEST}")
    return suite


def _one_error_line(capsys: pytest.CaptureFixture[str], rc: int) -> str:
    err = capsys.readouterr().err
    assert rc == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    return err


def test_non_utf8_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f.py").write_bytes(GOOD_FILTER.read_bytes())
    suite = tmp_path / "suite.yaml"
    suite.write_bytes(b"filter: f.py\ntests:\n  - name: caf\xe9\xff\n")
    line = _one_error_line(capsys, main(["test", str(suite)]))
    assert str(suite) in line and "UTF-8" in line


def test_wasm_filter_under_null_runtime(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = _suite(tmp_path, "f.wasm", b"\0asm\x01\0\0\0")
    line = _one_error_line(capsys, main(["test", str(suite), "--runtime", "null"]))
    assert "f.wasm" in line and "--runtime wasm" in line


@pytest.mark.parametrize("garbage", [b"garbage\xff", b"\0asm\x01\0\0\0junk", b""])
def test_garbage_wasm_under_wasm_runtime(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], garbage: bytes
) -> None:
    suite = _suite(tmp_path, "f.wasm", garbage)
    line = _one_error_line(capsys, main(["test", str(suite), "--runtime", "wasm"]))
    assert "f.wasm" in line and "WebAssembly" in line


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"x = 1\nraise RuntimeError('boom at import')\n", "RuntimeError: boom at import"),
        (b"def f(n):\n    return f(n + 1)\n\nf(0)\n", "RecursionError"),
        (b"import no_such_module_here\n", "no module named 'no_such_module_here'"),
    ],
)
def test_filter_raising_at_import_under_null(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: bytes, expected: str
) -> None:
    suite = _suite(tmp_path, "f.py", source)
    line = _one_error_line(capsys, main(["test", str(suite), "--runtime", "null"]))
    assert f"{tmp_path / 'f.py'}:" in line and expected in line
