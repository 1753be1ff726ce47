"""The same declarative suite gives the same observations in null, wasm, a real Envoy (Wasm)
and Envoy native."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy_wasm.testing.suite import run_suite
from proxy_wasm_cli import main
from proxy_wasm_envoy.suite_runner import run_suite as run_in_envoy

SUITE = Path(__file__).parent / "suites" / "gatekeeper.yaml"
NAMES = [
    "allows alice and rewrites both directions",
    "denies a blocked user with a local reply",
    "logs when the stream ends",
]


@pytest.mark.parametrize("runtime", ["null", pytest.param("wasm", marks=pytest.mark.wasm)])
def test_suite_passes_in_the_test_host(runtime: str) -> None:
    results = run_suite(SUITE, runtime)
    assert [r.name for r in results] == NAMES
    assert all(r.passed for r in results), [r.failures for r in results]


@pytest.mark.envoy
@pytest.mark.parametrize("runtime", ["envoy", "native"])
def test_suite_passes_in_envoy_through_the_cli(
    runtime: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["test", str(SUITE), "--runtime", runtime]) == 0
    out = capsys.readouterr().out
    assert [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("PASS")] == NAMES


@pytest.mark.envoy
def test_a_wrong_expectation_fails_in_every_runtime(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        SUITE.read_text()
        .replace("filter: gatekeeper.py", f"filter: {SUITE.parent / 'gatekeeper.py'}")
        .replace('x-filter: "1", x-user: alice', 'x-filter: "2", x-user: alice')
    )
    for results in (
        run_suite(wrong, "null"),
        run_suite(wrong, "wasm"),
        run_in_envoy(wrong),
        run_in_envoy(wrong, native=True),
    ):
        assert not results[0].passed
        assert "header 'x-filter'" in results[0].failures[0]
        assert results[1].passed
