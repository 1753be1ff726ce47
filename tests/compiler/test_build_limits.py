"""Build limits (issue 14): a filter that loops or recurses at import, file modes."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from proxy_wasm_cli import main
from proxy_wasm_compiler.build import BuildOptions, build_filter

HELLO = Path(__file__).parents[2] / "examples" / "hello_world" / "filter.py"


def _filter(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "runaway.py"
    path.write_text(f"{HELLO.read_text()}\n\n{body}\n")
    return path


def _one_error(capsys: pytest.CaptureFixture[str], rc: int) -> str:
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_a_filter_looping_at_import_hits_the_build_time_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _filter(tmp_path, "while True:\n    pass")
    out = tmp_path / "out.wasm"
    line = _one_error(capsys, main(["build", str(source), "-o", str(out), "--timeout", "2"]))
    assert "runaway.py" in line and "2 s" in line and "--timeout" in line
    assert "pre-initialis" in line and not out.exists()
    monkeypatch.setenv("PROXY_WASM_BUILD_TIMEOUT", "1.5")
    line = _one_error(capsys, main(["build", str(source), "-o", str(out)]))
    assert "1.5 s" in line and "PROXY_WASM_BUILD_TIMEOUT" in line


def test_bad_timeout_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROXY_WASM_BUILD_TIMEOUT", "soon")
    line = _one_error(capsys, main(["build", str(HELLO), "-o", str(tmp_path / "o.wasm")]))
    assert "PROXY_WASM_BUILD_TIMEOUT" in line


def test_runaway_recursion_at_import_is_one_located_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _filter(tmp_path, "def down(n):\n    return down(n + 1)\n\n\ndown(0)")
    line = _one_error(capsys, main(["build", str(source), "-o", str(tmp_path / "o.wasm")]))
    lineno = source.read_text().splitlines().index("    return down(n + 1)") + 1
    assert "RecursionError" in line and f"runaway.py:{lineno}" in line


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_built_module_respects_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "hello.wasm"
    build_filter(HELLO, out, options=BuildOptions(reuse=True))
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    os.umask(0o077)
    build_filter(HELLO, out, options=BuildOptions(reuse=True))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
