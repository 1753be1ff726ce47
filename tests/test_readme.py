"""The README's "first filter" and its test are real: run them, in both runtimes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    return [re.sub(r"^   ", "", block, flags=re.M) for block in blocks]


@pytest.mark.wasm
def test_readme_filter_and_test_pass_in_both_runtimes(tmp_path: Path) -> None:
    filter_source, test_source = python_blocks()[:2]
    assert "set_http_context" in filter_source and "def test_" in test_source
    (tmp_path / "my_filter.py").write_text(filter_source)
    (tmp_path / "test_my_filter.py").write_text(test_source)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_filter.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 passed" in proc.stdout, proc.stdout


def test_pdb_stops_inside_a_callback_in_the_null_runtime(tmp_path: Path) -> None:
    filter_source = python_blocks()[0].replace(
        'user = self.get_http_request_header("x-user")',
        'user = self.get_http_request_header("x-user")\n        breakpoint()',
    )
    assert "breakpoint()" in filter_source
    (tmp_path / "my_filter.py").write_text(filter_source)
    (tmp_path / "test_my_filter.py").write_text(python_blocks()[1])
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "--proxy-wasm-runtime=null",
            "test_my_filter.py",
        ],
        cwd=tmp_path,
        input="p ('user is', user)\np self.context_id\nc\nc\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "(Pdb)" in proc.stdout, proc.stdout + proc.stderr
    assert "('user is', 'alice')" in proc.stdout
    assert "my_filter.py" in proc.stdout  # pdb shows the user's own file
    assert "1 passed" in proc.stdout, proc.stdout


def test_coverage_measures_the_filter_in_the_null_runtime(tmp_path: Path) -> None:
    (tmp_path / "my_filter.py").write_text(python_blocks()[0])
    (tmp_path / "test_my_filter.py").write_text(python_blocks()[1])
    run = [
        sys.executable,
        "-m",
        "coverage",
        "run",
        "--include=my_filter.py",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--proxy-wasm-runtime=null",
        "test_my_filter.py",
    ]
    proc = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = subprocess.run(
        [sys.executable, "-m", "coverage", "report", "--show-missing"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    line = next(row for row in report.stdout.splitlines() if row.startswith("my_filter.py"))
    covered = int(line.split()[3].rstrip("%"))
    assert covered == 100, report.stdout  # the test drives every line of the filter
