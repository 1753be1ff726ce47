"""How the test host gets a filter built without importing a compiler by name.

The test host needs two things from a compiler: the wasm runtime builds a ``filter.py`` into a
module, and the null runtime refuses an import that would fail the build (so a test cannot
pass on code that will never load in a proxy). A :class:`Builder` provides both. The test host
finds one through the ``proxy_wasm.builders`` entry point group (proxy-wasm-python registers
its compiler there), or uses the one given to :func:`set_builder`::

    [project.entry-points."proxy_wasm.builders"]
    compiler = "proxy_wasm_compiler.host_builder:CompilerBuilder"

Without any, the wasm runtime raises :class:`WasmUnavailable` and the null runtime skips the
import check.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from typing import Protocol, runtime_checkable

ENTRY_POINT_GROUP = "proxy_wasm.builders"


class WasmUnavailable(RuntimeError):
    """The wasm runtime cannot run this filter here (no builder to build it)."""


@runtime_checkable
class Builder(Protocol):
    """Builds filters for the test host (the compiler implements it)."""

    def build(self, source: Path, output: Path) -> Path:
        """Build the filter ``source`` (a .py) into ``output``; return the module's path.

        May serve an identical earlier build from a cache. Raises the compiler's own errors for
        mistakes in the filter.
        """
        ...

    def check_imports(self, source: Path) -> None:
        """Raise, as the build would, if ``source`` imports what cannot work in a proxy."""
        ...

    def user_error(self, message: str, source: Path) -> Exception:
        """The exception the build raises for the mistake ``message`` in ``source`` (the null
        runtime refuses what the build refuses, with the same error)."""
        ...


_explicit: Builder | None = None
_discovered: list[Builder] | None = None


def set_builder(builder: Builder | None) -> None:
    """Use ``builder`` from now on (``None``: back to the installed entry points)."""
    global _explicit
    _explicit = builder


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    return sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)


def find_builder() -> Builder | None:
    """The builder set with :func:`set_builder`, else the first installed one, else ``None``."""
    global _discovered
    if _explicit is not None:
        return _explicit
    if _discovered is None:
        _discovered = []
        for entry in _entry_points():
            factory = entry.load()
            builder = factory()
            if not isinstance(builder, Builder):
                raise TypeError(f"entry point {entry.value} ({ENTRY_POINT_GROUP}) is not a Builder")
            _discovered.append(builder)
    return _discovered[0] if _discovered else None


def require_builder(source: Path) -> Builder:
    """The builder to build ``source`` with, or :class:`WasmUnavailable` saying how to get one."""
    builder = find_builder()
    if builder is None:
        raise WasmUnavailable(
            f"the wasm runtime needs a compiler to build {source.name}: install "
            f"proxy-wasm-python (it registers one under the '{ENTRY_POINT_GROUP}' entry points), "
            "call proxy_wasm.testing.set_builder(...), or pass a built .wasm"
        )
    return builder
