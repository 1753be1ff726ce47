"""``proxy-wasm inspect``: what a built module is and which proxies will load it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from proxy_wasm_compiler import tested_envoys
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.printable import printable
from proxy_wasm_compiler.proxies import PROXIES, missing_imports
from proxy_wasm_compiler.wasm_module import PROXY_WASM_PYTHON_SECTION, WasmModule, read_module

PAGE = 65536


def inspect_module(module: WasmModule) -> dict[str, Any]:
    """Everything ``inspect`` reports, as a JSON-able dict."""
    build_info = module.build_info()
    info = build_info or {}
    if build_info is None and module.custom_section(PROXY_WASM_PYTHON_SECTION) is not None:
        raise UserError(
            f"{module.path or 'module'}: its {PROXY_WASM_PYTHON_SECTION!r} section is not "
            "a JSON object (or is nested too deeply)"
        )
    abi = module.abi_version
    loads: list[dict[str, Any]] = []
    for proxy in PROXIES:
        missing = missing_imports(module.imports, proxy, abi)
        problems = [str(m) for m in missing]
        if abi is None:
            problems.insert(0, "no proxy_abi_version_* export (Missing or unknown ABI version)")
        if not (module.has_export("malloc") or module.has_export("proxy_on_memory_allocate")):
            problems.append("exports neither malloc nor proxy_on_memory_allocate")
        # What was actually run (scripts/envoy_versions.py), for modules this SDK built.
        runs = tested_envoys.for_proxy(proxy.key) if build_info and not problems else []
        loads.append(
            {
                "proxy": proxy.key,
                "title": proxy.title,
                "loads": not problems,
                "problems": problems,
                "tested": [run.summary for run in runs],
            }
        )
    memory = module.memory
    return {
        "file": str(module.path) if module.path else None,
        "size": module.size,
        "abi_version": abi,
        "sdk_version": info.get("sdk_version"),
        "python_version": info.get("python_version"),
        "source": info.get("source"),
        "root_ids": info.get("root_ids"),
        "frozen_modules": info.get("frozen_modules"),
        "trim": info.get("trim"),
        "build_info": info or None,
        "memory": None
        if memory is None
        else {"min_pages": memory.minimum, "max_pages": memory.maximum},
        "exports": [
            {"name": e.name, "kind": e.kind, "type": str(e.type) if e.type else None}
            for e in module.exports
        ],
        "imports": [
            {
                "module": i.module,
                "name": i.name,
                "kind": i.kind,
                "type": str(i.type) if i.type else None,
            }
            for i in module.imports
        ],
        "custom_sections": {name: len(data) for name, data in module.custom_sections.items()},
        "proxies": loads,
    }


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1e6:.2f} MB ({n} bytes)"
    if n >= 1000:
        return f"{n / 1e3:.1f} kB ({n} bytes)"
    return f"{n} bytes"


def _trim_summary(trim: dict[str, Any] | None) -> str:
    if not trim:
        return "no (built with --no-trim or --no-snapshot: the compiler is kept)"
    return (
        f"{trim['functions_before'] - trim['functions_after']} of {trim['functions_before']} "
        f"functions removed, code {trim['code_bytes_before'] / 1e6:.2f} -> "
        f"{trim['code_bytes_after'] / 1e6:.2f} MB, binaryen -{trim['optimize_level']}; "
        f"replaced: {', '.join(trim['replaced'])}"
    )


def format_report(report: dict[str, Any]) -> str:
    """The human-readable ``inspect`` text."""
    lines: list[str] = []

    def row(key: str, value: object) -> None:
        lines.append(f"{key:<16} {value}")

    row("file", report["file"])
    row("size", _size(report["size"]))
    abi = report["abi_version"]
    row("ABI version", abi or "none (not a Proxy-Wasm module)")
    if report["build_info"] is None:
        row(
            "SDK",
            f"unknown (no {PROXY_WASM_PYTHON_SECTION!r} section: not built by proxy-wasm-python)",
        )
    else:
        row("SDK", f"proxy-wasm-python {report['sdk_version'] or '?'}")
        row("Python", report["python_version"] or "?")
        if report["source"]:
            row("source", report["source"])
        if report["root_ids"] is not None:
            row("root ids", ", ".join(repr(r) for r in report["root_ids"]) or "''")
        row("trimmed", _trim_summary(report["trim"]))
    mem = report["memory"]
    if mem is not None:
        maximum = "no max" if mem["max_pages"] is None else f"max {mem['max_pages']} pages"
        row(
            "memory",
            f"{mem['min_pages']} pages ({mem['min_pages'] * PAGE / 2**20:.1f} MiB), {maximum}",
        )
    funcs = [e["name"] for e in report["exports"] if e["kind"] == "func"]
    row(f"exports ({len(report['exports'])})", ", ".join(funcs) or "-")
    by_module: dict[str, list[str]] = {}
    for imp in report["imports"]:
        by_module.setdefault(imp["module"], []).append(imp["name"])
    row(f"imports ({len(report['imports'])})", "" if by_module else "-")
    for mod, names in by_module.items():
        lines.append(f"  {mod} ({len(names)}): {', '.join(names)}")
    frozen = report["frozen_modules"]
    if frozen is not None:
        row(f"frozen modules ({len(frozen)})", ", ".join(frozen) or "-")
    sections = report["custom_sections"]
    if sections:
        row("custom sections", ", ".join(f"{n} ({s} B)" for n, s in sections.items()))
    lines.append("")
    lines.append("will it load?")
    width = max(len(p["title"]) for p in report["proxies"])
    for p in report["proxies"]:
        verdict = "yes" if p["loads"] else "NO"
        lines.append(f"  {p['title']:<{width}}  {verdict}")
        for problem in p["problems"]:
            lines.append(f"  {'':<{width}}    {problem}")
        for tested in p["tested"]:
            lines.append(f"  {'':<{width}}    {tested}")
    return "\n".join(printable(line) for line in lines)


@click.command("inspect")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def inspect_command(file: Path, as_json: bool) -> None:
    """Show what FILE.wasm is: ABI version, exports, imports, size, Python and SDK versions,
    frozen modules, and which proxy versions will load it.

    \b
    Examples:
      proxy-wasm inspect filter.wasm
      proxy-wasm inspect filter.wasm --json | jq .proxies
    """
    report = inspect_module(read_module(file))
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(format_report(report))
