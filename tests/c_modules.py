"""Hand-written C test modules compiled with the project's own zig (wasm32-wasi reactors)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def zig_reactor(source: Path, output: Path, *flags: str) -> Path:
    """Compile ``source`` into the Proxy-Wasm reactor ``output`` (-O2, stripped, plus ``flags``);
    fail the test with zig's message when it does not compile."""
    cmd = [
        sys.executable,
        "-m",
        "ziglang",
        "cc",
        "-target",
        "wasm32-wasi",
        "-mexec-model=reactor",
        "-O2",
        "-s",
        *flags,
        "-o",
        str(output),
        str(source),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        pytest.fail(f"zig cc failed: {proc.stderr[-2000:]}", pytrace=False)
    return output
