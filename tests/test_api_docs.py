"""docs/api.md is generated from the docstrings and must be current."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "gen_api_docs.py"


def test_api_reference_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_api_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.render()
    assert "### `HttpContext`" in expected and "(no docstring)" not in expected
    assert module.OUTPUT.read_text() == expected, "run: python scripts/gen_api_docs.py"
