"""The null runtime: the filter imported into the test's own CPython, bound to the emulator.

Loading: ``proxy_wasm._dispatch.reset()``, bind a ``NullHost``, check the filter's imports as the
build would (``proxy_wasm_compiler.graph.check_imports`` when available), then import the file
afresh under a unique module name with its folder on ``sys.path`` (modules beside it are
re-imported too) and refuse it, as the build does, if it registers no context. The emulator
calls the dispatcher's ``proxy_on_*`` functions directly; a callback
whose bit is clear in the SDK's callback mask is skipped exactly as the C shim skips it.

Only one filter is live in the null runtime at a time: the SDK's dispatcher is process-global.
"""

from __future__ import annotations

import importlib
import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from proxy_wasm.testing import emulator as em

_counter = itertools.count(1)


class NullGuest:
    """Calls ``proxy_wasm._dispatch.proxy_on_*`` (the mask is checked by the emulator)."""

    def __init__(self, dispatch: ModuleType) -> None:
        self.dispatch = dispatch
        self._funcs: dict[str, Any] = {}

    def call(self, name: str, *args: int) -> int:
        fn = self._funcs.get(name)
        if fn is None:
            fn = getattr(self.dispatch, name, None)
            if fn is None:
                return em.callback_default(name)
            self._funcs[name] = fn
        result = fn(*args)
        return em.callback_default(name) if result is None else int(result)


def check_imports(path: Path) -> None:
    """Fail like the build for an import that cannot work in a proxy (skipped if unavailable)."""
    try:
        from proxy_wasm_compiler import graph  # type: ignore[attr-defined, unused-ignore]
    except ImportError:
        return
    check = getattr(graph, "check_imports", None)
    if check is not None:
        check(path)


def check_registration(path: Path) -> None:
    """Refuse a filter that registers no context, as the build does (same message and type)."""
    from proxy_wasm import _dispatch

    try:
        _dispatch.check_registration(path.stem)
    except RuntimeError as exc:
        try:
            from proxy_wasm_compiler.errors import Location, UserError
        except ImportError:
            raise exc from None
        raise UserError(str(exc), Location(str(path))) from None


def _forget_siblings(folder: Path) -> None:
    folder = folder.resolve()
    for name, mod in list(sys.modules.items()):
        file = getattr(mod, "__file__", None)
        leaf = name.rpartition(".")[2]
        if not file or leaf.startswith("test_") or leaf == "conftest":
            continue
        try:
            if Path(file).resolve().is_relative_to(folder):
                del sys.modules[name]
        except (OSError, ValueError):
            continue


def load(emulator: em.Emulator, filter: str | Path | ModuleType) -> ModuleType:
    """Bind the SDK to ``emulator`` and import ``filter`` afresh; return the module."""
    from proxy_wasm import _dispatch, _host
    from proxy_wasm.testing.null_binding import NullHost

    _dispatch.reset()
    _host.bind(NullHost(emulator))
    emulator.guest = NullGuest(_dispatch)
    if isinstance(filter, ModuleType):
        return importlib.reload(filter)
    path = Path(filter).resolve()
    check_imports(path)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    _forget_siblings(path.parent)
    name = f"_proxy_wasm_filter_{next(_counter)}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    check_registration(path)
    return module
