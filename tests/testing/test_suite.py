"""Declarative YAML suites: running them, located errors, and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_wasm.testing.suite import SuiteError, load_suite, run_suite
from proxy_wasm_cli import main

FILTERS = Path(__file__).parent / "filters"

SUITE = """\
filter: {filter}
plugin_config: {{"name": "ann"}}
plugin_init:
  log: [{{regex: "configured.*"}}]
tests:
  - name: greets
    request_headers:
      input: {{headers: {{":path": "/x"}}}}
      result:
        has_header: {{x-greeting: hello ann}}
        no_header: [x-auth]
        action: continue
    request_body:
      - input: {{content: "ab"}}
        result: {{action: pause}}
      - input: {{content: "c", end_of_stream: true}}
        result: {{body: [{{exact: ABC}}]}}
    response_headers:
      input: {{headers: {{":status": "200"}}}}
      result: {{has_header: [x-req-headers]}}
  - name: denies
    request_headers:
      input: {{headers: {{":path": "/deny"}}}}
      result: {{immediate: {{http_status: 403, body: "no"}}}}
    response_headers:
      input: {{headers: {{":status": "200"}}}}
      result: {{has_header: [never-reached]}}
  - name: fails on purpose
    request_headers:
      input: {{headers: {{":path": "/x"}}}}
      result: {{has_header: {{x-greeting: wrong}}, log: [{{regex: "nothing"}}]}}
"""


def write_suite(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_text(text)
    return path


def test_run_suite_null(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SUITE.format(filter=FILTERS / "auth_filter.py"))
    results = run_suite(suite, "null")
    assert [(r.name, r.passed) for r in results] == [
        ("greets", True),
        ("denies", True),
        ("fails on purpose", False),
    ]
    failures = results[2].failures
    assert any("x-greeting" in f and "wrong" in f for f in failures)
    assert any("no log line matches" in f for f in failures)


def test_benchmark_reports_time_per_callback(tmp_path: Path) -> None:
    suite = write_suite(tmp_path, SUITE.format(filter=FILTERS / "auth_filter.py"))
    results = run_suite(suite, "null", benchmark=True, min_seconds=0.05)
    assert results[0].iterations >= 10
    assert results[0].timings_us["proxy_on_request_headers"] > 0


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        (
            "filter: {f}\ntests:\n  - name: a\n    requst_headers: {{}}\n",
            4,
            5,
            "unknown key 'requst_headers'",
        ),
        (
            "filter: {f}\ntests:\n  - name: a\n    request_headers:\n"
            "      result: {{has_heder: x}}\n",
            5,
            16,
            "unknown key 'has_heder'",
        ),
        ("filter: {f}\ntests: [\n", 3, 1, "invalid YAML"),
        ("filter: missing.py\ntests: []\n", 1, 1, "filter file not found"),
        (
            "filter: {f}\ntests:\n  - name: a\n    request_body:\n"
            "      result: {{body: [{{regex: '('}}]}}\n",
            5,
            24,
            "bad regex",
        ),
        ("filter: {f}\ntests:\n  - request_headers: {{}}\n", 3, 5, "a test needs a 'name'"),
    ],
)
def test_located_errors(tmp_path: Path, text: str, line: int, col: int, message: str) -> None:
    suite = write_suite(tmp_path, text.format(f=FILTERS / "auth_filter.py"))
    with pytest.raises(SuiteError) as info:
        load_suite(suite)
    assert (info.value.line, info.value.col) == (line, col), str(info.value)
    assert message in info.value.message
    assert str(info.value).startswith(f"{suite}:{line}:{col}: ")


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    suite = write_suite(tmp_path, SUITE.format(filter=FILTERS / "auth_filter.py"))
    assert main(["test", str(suite), "--runtime", "null"]) == 1
    out = capsys.readouterr().out
    assert "PASS greets" in out and "FAIL fails on purpose" in out and "2 passed, 1 failed" in out
    bad = write_suite(tmp_path, "tests: 3\n")
    assert main(["test", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}:1:1: the suite needs 'filter'")
