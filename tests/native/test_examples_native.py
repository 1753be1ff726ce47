"""The examples' real-Envoy tests, run against Envoy native (the CPython dynamic module).

Each example's own ``test_*envoy*`` functions (the requests and assertions they make against the
Envoy-Wasm deployment) are called with an Envoy serving that example natively. The examples the
dynamic-module ABI cannot serve are listed in ``UNSUPPORTED`` with the reason.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from examples.test_examples_index import readme_curls, run_curls

pytestmark = pytest.mark.envoy
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

UNSUPPORTED: dict[str, str] = {
    "grpc_auth_random": "the dynamic-module ABI has no gRPC callouts (refused at load)",
    "metrics": (
        "Envoy freezes dynamic-module stat creation once the filter config is loaded, and this "
        "filter defines its per-method counters on first use during requests"
    ),
    "shared_queue": "two plugins in one listener: the native runtime runs one filter per Envoy",
}


def _envoy_tests(name: str) -> list[Callable[..., Any]]:
    module = importlib.import_module(f"examples.{name}.test_filter")
    return [
        fn
        for fn_name, fn in sorted(vars(module).items())
        if fn_name.startswith("test_")
        and inspect.isfunction(fn)
        and list(inspect.signature(fn).parameters) == ["examples_envoy"]
    ]


def _examples() -> list[Any]:
    out = []
    for folder in sorted(p.parent for p in EXAMPLES.glob("*/filter.py")):
        marks = []
        if folder.name in UNSUPPORTED:
            marks.append(pytest.mark.skip(reason=f"native: {UNSUPPORTED[folder.name]}"))
        out.append(pytest.param(folder.name, id=folder.name, marks=marks))
    return out


@pytest.mark.parametrize("name", _examples())
def test_example_in_envoy_native(name: str, start_example: Callable[..., Any]) -> None:
    tests = _envoy_tests(name)
    if not tests:
        pytest.skip("the example has no Envoy test")
    with start_example(EXAMPLES / name) as envoy:
        for test in tests:
            test(envoy)


@pytest.mark.parametrize("name", _examples())
def test_readme_curls_work_in_envoy_native(name: str, start_example: Callable[..., Any]) -> None:
    commands = readme_curls((EXAMPLES / name / "README.md").read_text())
    with start_example(EXAMPLES / name) as envoy:
        run_curls(commands, envoy.url(name))
