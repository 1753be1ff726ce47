"""The public surface: ``__all__`` sorted and complete, lean imports, docstrings."""

from __future__ import annotations

import inspect
import subprocess
import sys
import types
from pathlib import Path

import proxy_wasm

SDK = Path(proxy_wasm.__file__ or "").parent


def test_all_sorted_and_complete() -> None:
    assert proxy_wasm.__all__ == sorted(proxy_wasm.__all__)
    public = {
        name
        for name, value in vars(proxy_wasm).items()
        if not name.startswith("_")
        and name not in {"annotations"}
        and not (isinstance(value, types.ModuleType) and name not in {"log", "properties"})
    }
    assert set(proxy_wasm.__all__) == public
    for name in proxy_wasm.__all__:
        assert getattr(proxy_wasm, name).__doc__, name


def test_public_methods_have_docstrings() -> None:
    for cls in (
        proxy_wasm.RootContext,
        proxy_wasm.HttpContext,
        proxy_wasm.StreamContext,
        proxy_wasm.Headers,
    ):
        for name, member in inspect.getmembers(cls, inspect.isfunction):
            if not name.startswith("_"):
                assert member.__doc__, f"{cls.__name__}.{name}"


def test_import_is_lean() -> None:
    code = (
        "import sys; before = set(sys.modules); import proxy_wasm; "
        "print(' '.join(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SDK.parent)},
    ).stdout.split()
    for heavy in ("typing", "re", "json", "dataclasses", "inspect", "logging", "traceback"):
        assert heavy not in out, heavy
