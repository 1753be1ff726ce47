"""The import check: fail the build if the target proxy would refuse to load the module."""

from __future__ import annotations

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.proxies import get_proxy, missing_imports
from proxy_wasm_compiler.wasm_module import parse_module


def check_module_imports(module: bytes, target: str) -> None:
    """Raise UserError naming every import ``target`` lacks or would reject."""
    try:
        proxy = get_proxy(target)
    except KeyError as exc:
        raise UserError(str(exc.args[0])) from None
    parsed = parse_module(module)
    problems = missing_imports(parsed.imports, proxy, parsed.abi_version)
    if problems:
        listed = "; ".join(str(p) for p in problems)
        raise UserError(f"{proxy.title} would refuse this module: {listed}")
