"""``--failure-policy``: FAIL_RELOAD by default (a crashed VM comes back) for run and deploy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from proxy_wasm_cli import main as cli_main
from proxy_wasm_hub import istio

FILTER = Path(__file__).resolve().parent.parent / "fuzz" / "filters" / "crash_filter.py"


def _policies(text: str) -> list[str]:
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "failure_policy" in node:
                found.append(node["failure_policy"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(text))
    return found


@pytest.mark.parametrize(("args", "expected"), [((), "FAIL_RELOAD"), (("FAIL_OPEN",), "FAIL_OPEN")])
def test_run_print_config(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str
) -> None:
    option = ["--failure-policy", *args] if args else []
    assert cli_main(["run", str(FILTER), "--print-config", *option]) == 0
    assert _policies(capsys.readouterr().out) == [expected]


def test_deploy_envoy_default_and_bad_value(capsys: pytest.CaptureFixture[str]) -> None:
    url = ["--url", "http://127.0.0.1:8000/f.wasm", "--sha256", "cd" * 32]
    assert cli_main(["deploy", "envoy", *url]) == 0
    assert _policies(capsys.readouterr().out) == ["FAIL_RELOAD"]
    assert cli_main(["deploy", "envoy", *url, "--failure-policy", "SOMETIMES"]) == 2
    assert "SOMETIMES" in capsys.readouterr().err


def test_istio_fail_strategy_defaults_to_reload() -> None:
    plugin = istio.wasm_plugin(name="f", url="oci://127.0.0.1:5000/f:1")
    assert plugin["spec"]["failStrategy"] == "FAIL_RELOAD"
    assert "FAIL_RELOAD" in istio.FAIL_STRATEGIES
