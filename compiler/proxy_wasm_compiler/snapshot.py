"""Pre-initialise a module with ``wasmtime wizer``: start CPython and import the filter at build
time, so every VM in the proxy starts from the snapshot instead of booting the interpreter.

The snapshot's ``_initialize`` is replaced by a no-op (libc and Python are already set up), and
any ``env.proxy_*`` call during the import traps, which the shim turns into a Python error that
says to make the call from a callback instead.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from proxy_wasm_compiler.errors import Location, ToolchainError, UserError
from proxy_wasm_compiler.toolchain import Toolchain

USER_ERROR = "proxy-wasm-python: user-error:"
TIMEOUT_ENV = "PROXY_WASM_BUILD_TIMEOUT"
#: Seconds the pre-initialisation (which runs the filter's top-level code) may take.
DEFAULT_TIMEOUT = 120.0
_FRAME_RE = re.compile(r'^\s*File "([^"]+)", line (\d+)', re.MULTILINE)
_MAX_TRACEBACK_LINES = 40


def build_timeout(option: float | None = None) -> float:
    """The snapshot time limit: ``option`` (``--timeout``), else ``$PROXY_WASM_BUILD_TIMEOUT``,
    else :data:`DEFAULT_TIMEOUT`."""
    if option is not None:
        return option
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise UserError(f"{TIMEOUT_ENV}={text!r}: expected a number of seconds above 0")
    return value


def snapshot_module(
    toolchain: Toolchain, module: Path, output: Path, source: Path, timeout: float | None = None
) -> None:
    """Write the pre-initialised ``module`` to ``output`` (UserError past ``timeout`` s)."""
    limit = build_timeout(timeout)
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
        proc = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=limit)
    except subprocess.TimeoutExpired:
        how = "--timeout SECONDS" if timeout is not None else f"--timeout SECONDS or {TIMEOUT_ENV}"
        raise UserError(
            f"the pre-initialisation step (wasmtime wizer, which runs the filter's top-level "
            f"code) did not finish within {limit:g} s: does the module loop at import? "
            f"Raise the limit with {how}",
            Location(str(source)),
        ) from None
    except OSError as exc:
        raise ToolchainError(f"cannot run wasmtime wizer: {exc}") from exc
    if proc.returncode != 0:
        detail = proc.stderr.strip()
        for line in detail.splitlines():
            if line.startswith(USER_ERROR):
                raise UserError(line[len(USER_ERROR) :].strip(), Location(str(source)))
        python_error = _python_error(detail)
        if python_error:
            last = [line for line in python_error.splitlines() if line[:1].strip()][-1]
            if last.startswith("RecursionError"):
                raise _recursion_error(python_error, last, source)
            raise UserError(
                f"importing {source.name} at build time failed:\n{_shorten(python_error)}"
            )
        raise ToolchainError(f"wasmtime wizer failed (exit code {proc.returncode})", detail[-3000:])


def _recursion_error(traceback: str, last: str, source: Path) -> UserError:
    """A runaway recursion as one line located at the deepest frame in the user's code."""
    frames = _FRAME_RE.findall(traceback)
    mine = [f for f in frames if f[0] == source.name] or frames
    where = Location(str(source))
    if mine:
        file, line = mine[-1]
        where = Location(str(source) if file == source.name else file, int(line))
    return UserError(f"{last} while importing {source.name} at build time", where)


def _shorten(traceback: str) -> str:
    lines = traceback.splitlines()
    if len(lines) <= _MAX_TRACEBACK_LINES:
        return traceback
    head, tail = lines[:5], lines[-(_MAX_TRACEBACK_LINES - 6) :]
    return "\n".join([*head, f"  ... ({len(lines) - len(head) - len(tail)} lines)", *tail])


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
