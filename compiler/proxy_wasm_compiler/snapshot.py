"""Pre-initialise a module with ``wasmtime wizer``: start CPython and import the filter at build
time, so every VM in the proxy starts from the snapshot instead of booting the interpreter.

The snapshot's ``_initialize`` is replaced by a no-op (libc and Python are already set up), and
any ``env.proxy_*`` call during the import traps, which the shim turns into a Python error that
says to make the call from a callback instead.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from proxy_wasm_compiler.errors import Location, ToolchainError, UserError
from proxy_wasm_compiler.toolchain import Toolchain

USER_ERROR = "proxy-wasm-python: user-error:"


def snapshot_module(toolchain: Toolchain, module: Path, output: Path, source: Path) -> None:
    """Write the pre-initialised ``module`` to ``output``."""
    argv = [
        str(toolchain.wasmtime),
        "wizer",
        "--init-func",
        "pw_snapshot_init",
        "--rename-func",
        "_initialize=pw_initialized",
        "-W",
        "unknown-imports-trap=y",
        "-S",
        "cli=y",
        "-o",
        str(output),
        str(module),
    ]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolchainError(f"cannot run wasmtime wizer: {exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.strip()
        for line in detail.splitlines():
            if line.startswith(USER_ERROR):
                raise UserError(line[len(USER_ERROR) :].strip(), Location(str(source)))
        python_error = _python_error(detail)
        if python_error:
            raise UserError(f"importing {source.name} at build time failed:\n{python_error}")
        raise ToolchainError(f"wasmtime wizer failed (exit code {proc.returncode})", detail[-3000:])


def _python_error(stderr: str) -> str:
    """The Python traceback the shim printed before aborting, if any."""
    marker = "proxy-wasm-python:"
    if marker not in stderr:
        return ""
    text = stderr[stderr.index(marker) :]
    lines = [line for line in text.splitlines() if not line.startswith(("Error:", "Caused by"))]
    # Drop wasmtime's backtrace of the trap.
    for i, line in enumerate(lines):
        if line.strip().startswith("wasm backtrace") or "error while executing" in line:
            lines = lines[:i]
            break
    return "\n".join(lines).strip()
