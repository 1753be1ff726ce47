"""Inputs for the CLI tests: the smallest Proxy-Wasm module and the smallest filter."""

from __future__ import annotations

from pathlib import Path

import pytest
import wasmtime

# The smallest module `proxy-wasm run` accepts as Proxy-Wasm (Envoy never loads it here).
TINY_WAT = """
(module
  (memory (export "memory") 1)
  (func (export "malloc") (param i32) (result i32) i32.const 0)
  (func (export "proxy_abi_version_0_2_1")))
"""

HELLO_FILTER = """\
import proxy_wasm


class Hello(proxy_wasm.HttpContext):
    pass


proxy_wasm.set_http_context(Hello)
"""


@pytest.fixture
def tiny_module(tmp_path: Path) -> Path:
    """A .wasm that passes `run`'s Proxy-Wasm check."""
    path = tmp_path / "tiny.wasm"
    path.write_bytes(bytes(wasmtime.wat2wasm(TINY_WAT)))
    return path


@pytest.fixture
def hello_filter(tmp_path: Path) -> Path:
    """A filter that builds (one HTTP context, nothing else)."""
    path = tmp_path / "hello.py"
    path.write_text(HELLO_FILTER)
    return path
