"""Turn what a user names on the command line into a ``.wasm`` file Envoy can load.

* ``FILE.wasm``: used as it is (checked to be a WebAssembly module);
* ``FILTER.py``: built with ``proxy_wasm_compiler.build.build_filter`` (cached);
* a folder (``examples/NAME``): its ``filter.py``;
* ``oci://REF``: pulled with ``proxy_wasm_hub.pull_module(ref, dest_dir)``.
"""

from __future__ import annotations

import importlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.wasm_module import WasmModule, read_module

OCI_PREFIX = "oci://"


@dataclass
class ResolvedModule:
    """The module to serve, where it came from, and its parsed shape."""

    path: Path
    source: str
    module: WasmModule
    built: bool = False
    pulled: bool = False


def _optional(module: str, name: str, what: str) -> Any:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        raise UserError(f"{what} is not available in this installation ({module})") from None
    fn = getattr(mod, name, None)
    if fn is None:
        raise UserError(f"{what} is not available in this installation ({module}.{name})")
    return fn


def build_python_filter(source: Path, output_dir: Path | None = None) -> Path:
    """Build ``source`` (a filter .py) with the project's compiler; return the .wasm path.

    The module goes to ``output_dir`` (a fresh temporary folder by default), never beside the
    user's source: ``run`` and ``deploy`` must not leave files in the user's tree.
    """
    build_filter = _optional("proxy_wasm_compiler.build", "build_filter", "the compiler")
    out_dir = output_dir or Path(tempfile.mkdtemp(prefix="proxy-wasm-build-"))
    result = build_filter(source, out_dir / f"{source.stem}.wasm")
    return Path(result.path)


def pull_oci(ref: str, dest_dir: Path | None = None) -> Path:
    """Pull ``oci://REF`` (or ``REF``) into ``dest_dir`` (a temporary folder by default)."""
    pull_module = _optional("proxy_wasm_hub", "pull_module", "pulling from a registry")
    bare = ref[len(OCI_PREFIX) :] if ref.startswith(OCI_PREFIX) else ref
    dest = dest_dir or Path(tempfile.mkdtemp(prefix="proxy-wasm-pull-"))
    return Path(pull_module(bare, dest))


def resolve_module(target: str, *, pull_dir: Path | None = None) -> ResolvedModule:
    """Resolve a CLI target (FILE.wasm, FILTER.py, folder, oci://REF) to a checked module."""
    if target.startswith(OCI_PREFIX):
        path = pull_oci(target, pull_dir)
        return ResolvedModule(path, target, read_module(path), pulled=True)
    p = Path(target)
    if p.is_dir():
        candidate = p / "filter.py"
        if not candidate.is_file():
            raise UserError(f"{p}: a filter folder needs a filter.py")
        p = candidate
    if not p.exists():
        raise UserError(f"{p}: no such file")
    if p.suffix == ".py":
        wasm = build_python_filter(p)
        return ResolvedModule(wasm, str(p), read_module(wasm), built=True)
    module = read_module(p)
    return ResolvedModule(p, str(p), module)


def check_proxy_wasm(resolved: ResolvedModule) -> None:
    """Refuse a WebAssembly module that Envoy would not accept as a Proxy-Wasm plugin."""
    module = resolved.module
    if module.abi_version is None:
        raise UserError(f"{resolved.path}: not a Proxy-Wasm module (no proxy_abi_version_* export)")
    if not (module.has_export("malloc") or module.has_export("proxy_on_memory_allocate")):
        raise UserError(
            f"{resolved.path}: not a Proxy-Wasm module (exports neither malloc nor "
            "proxy_on_memory_allocate)"
        )
