"""The "will it load" answer of ``inspect`` comes from recorded Envoy runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proxy_wasm_cli import main
from proxy_wasm_compiler import tested_envoys
from proxy_wasm_compiler.build import BuildOptions, build_filter

HELLO = Path(__file__).parents[2] / "examples" / "hello_world" / "filter.py"


def test_versions_map_to_import_sets() -> None:
    run = tested_envoys.TestedEnvoy("1.39.3", "2026-11-29", 29, 0)
    assert run.proxy_key == "envoy-1.33"
    assert tested_envoys.TestedEnvoy("1.40.0", "d", 1, 0).proxy_key == "envoy-1.40"
    assert tested_envoys.TestedEnvoy("1.32.1", "d", 1, 0).proxy_key == "envoy-1.32"
    assert run.summary.startswith("loaded and served in Envoy 1.39.3 (tested 2026-11-29")
    failing = tested_envoys.TestedEnvoy("1.36.4", "d", 27, 2, ("a::t", "b::t"))
    assert "2 failed" in failing.summary and "a::t" in failing.summary
    noted = tested_envoys.TestedEnvoy("1.36.4", "d", 1, 3, ("a::t",), ("tcp",), "no such field")
    assert "tcp left out" in noted.summary and "(no such field)" in noted.summary


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    runs = [
        tested_envoys.TestedEnvoy("1.36.4", "d", 1, 0),
        tested_envoys.TestedEnvoy("1.39.3", "d", 2, 1, ("x",), ("tcp_routing",), "why"),
    ]
    tested_envoys.save(runs, path)
    assert tested_envoys.load(path) == runs[::-1]  # newest Envoy first
    path.write_text("{not json")
    assert tested_envoys.load(path) == []


def test_committed_data_file_is_readable() -> None:
    doc = json.loads(tested_envoys.DATA_FILE.read_text())
    assert len(tested_envoys.load()) == len(doc["runs"]) >= 1


def test_inspect_says_what_was_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "t.json"
    tested_envoys.save([tested_envoys.TestedEnvoy("1.38.3", "2026-11-29", 5, 0)], data)
    monkeypatch.setattr(tested_envoys, "DATA_FILE", data)
    out = tmp_path / "hello.wasm"
    build_filter(HELLO, out, options=BuildOptions(reuse=True))
    assert main(["inspect", str(out)]) == 0
    text = capsys.readouterr().out
    assert "loaded and served in Envoy 1.38.3 (tested 2026-11-29: 5/5" in text
    assert main(["inspect", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    by_key = {p["proxy"]: p for p in report["proxies"]}
    assert by_key["envoy-1.33"]["tested"] and not by_key["envoy-1.40"]["tested"]
