"""The null runtime: the filter imported into the test's own CPython, bound to the emulator.

Loading: ``proxy_wasm._dispatch.reset()``, bind a ``NullHost``, check the filter's imports as the
build would (the :class:`~proxy_wasm.testing.builder.Builder`'s ``check_imports``, when a builder
is installed), then import the file afresh under a unique module name with its folder on
``sys.path`` (modules beside it are re-imported too), and refuse it, as the build does, if it
registers no context. The emulator calls the dispatcher's ``proxy_on_*`` functions directly; a
callback whose bit is clear in the SDK's callback mask is skipped exactly as the C shim skips it.

While the filter runs (its import and every callback), ``sys.stdout`` and ``sys.stderr`` are
streams that log: each ``write`` becomes one info (stdout) or error (stderr) entry without its
final newline, as every ``fd_write`` of a module does in the wasm runtime and in Envoy (so
``print("a", 1)`` gives the entries ``a``, `` ``, ``1`` and an empty one in all three).

Only one filter is live in the null runtime at a time: the SDK's dispatcher is process-global.
"""

from __future__ import annotations

import bdb
import contextlib
import importlib
import importlib.util
import io
import itertools
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from proxy_wasm.testing import emulator as em
from proxy_wasm.testing.builder import find_builder

_counter = itertools.count(1)
_SYS_DICT = sys.__dict__


class LogStream(io.TextIOBase):
    """A text stream whose every ``write`` is one log entry of the emulator (see above)."""

    encoding = "utf-8"

    def __init__(self, emulator: em.Emulator, level: int) -> None:
        super().__init__()
        self._emulator = emulator
        self._level = level

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        if _debugging():
            # pdb, started by breakpoint() in a callback, talks to the terminal, not the log.
            terminal = sys.__stdout__ if self._level == em.INFO else sys.__stderr__
            return terminal.write(s) if terminal is not None else len(s)
        if s:
            self._emulator.log_raw(self._level, s.removesuffix("\n"))
        return len(s)

    def flush(self) -> None:
        if _debugging():
            for terminal in (sys.__stdout__, sys.__stderr__):
                if terminal is not None:
                    terminal.flush()


def _debugging() -> bool:
    """Whether a bdb debugger (pdb) traces this thread."""
    return isinstance(getattr(sys.gettrace(), "__self__", None), bdb.Bdb)


class NullGuest:
    """Calls ``proxy_wasm._dispatch.proxy_on_*`` (the mask is checked by the emulator), with
    the filter's stdout and stderr logged."""

    def __init__(self, dispatch: ModuleType, emulator: em.Emulator) -> None:
        self.dispatch = dispatch
        self._funcs: dict[str, Any] = {}
        self.stdout = LogStream(emulator, em.INFO)
        self.stderr = LogStream(emulator, em.ERROR)

    def call(self, name: str, *args: int) -> int:
        fn = self._funcs.get(name)
        if fn is None:
            fn = getattr(self.dispatch, name, None)
            if fn is None:
                return em.callback_default(name)
            self._funcs[name] = fn
        # sys's own dict: half the cost of setting module attributes (print reads it too).
        streams = _SYS_DICT
        out, err = streams["stdout"], streams["stderr"]
        streams["stdout"], streams["stderr"] = self.stdout, self.stderr
        try:
            result = fn(*args)
        finally:
            streams["stdout"], streams["stderr"] = out, err
        return em.callback_default(name) if result is None else int(result)


@contextlib.contextmanager
def _logged(guest: NullGuest) -> Iterator[None]:
    with contextlib.redirect_stdout(guest.stdout), contextlib.redirect_stderr(guest.stderr):
        yield


def check_imports(path: Path) -> None:
    """Fail like the build for an import that cannot work in a proxy (skipped without a builder)."""
    builder = find_builder()
    if builder is not None:
        builder.check_imports(path)


def check_registration(path: Path) -> None:
    """Refuse a filter that registers no context, as the build does (same message and type)."""
    from proxy_wasm import _dispatch

    try:
        _dispatch.check_registration(path.stem)
    except RuntimeError as exc:
        builder = find_builder()
        if builder is None:
            raise
        raise builder.user_error(str(exc), path) from None


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


def load(
    emulator: em.Emulator, filter: str | Path | ModuleType, *, check: bool = True
) -> ModuleType:
    """Bind the SDK to ``emulator`` and import ``filter`` afresh; return the module.

    ``check``: refuse imports a Wasm build would refuse (False for native-only filters).
    """
    from proxy_wasm import _dispatch, _host
    from proxy_wasm.testing.null_binding import NullHost

    _dispatch.reset()
    _host.bind(NullHost(emulator))
    guest = NullGuest(_dispatch, emulator)
    emulator.guest = guest
    if isinstance(filter, ModuleType):
        with _logged(guest):
            return importlib.reload(filter)
    path = Path(filter).resolve()
    if check:
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
        with _logged(guest):
            spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    check_registration(path)
    return module
