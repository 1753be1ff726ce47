"""Bytecode is made for the module's CPython 3.11, whichever Python runs the compiler."""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

import pytest

from proxy_wasm_compiler import bytecode
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.graph import Module, build_graph

FILTERS = Path(__file__).parent / "filters"


def scenario_filter(name: str) -> Path:
    return FILTERS / name / "filter.py"


@pytest.mark.wasm
def test_python311_wasm_compiles_the_same_code_as_a_host_311(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sys.version_info[:2] != (3, 11):
        pytest.skip("the comparison needs a host CPython 3.11")
    graph = build_graph(scenario_filter("ok_local_package"))
    user_modules = [m for m in graph.python_modules if m.kind == "user"]
    assert {m.name for m in user_modules} == {"filter", "helpers", "helpers.tagging"}

    monkeypatch.setenv("PROXY_WASM_CACHE", str(tmp_path / "host"))
    host = {
        name: path.read_bytes() for name, path in bytecode.compile_modules(user_modules).items()
    }
    monkeypatch.setenv("PROXY_WASM_CACHE", str(tmp_path / "wasm"))
    monkeypatch.setenv("PROXY_WASM_BYTECODE_COMPILER", "wasm")
    wasm = {
        name: path.read_bytes() for name, path in bytecode.compile_modules(user_modules).items()
    }

    assert host.keys() == wasm.keys()
    for name in host:
        # Marshal's reference flags depend on refcounts; the code objects themselves are equal.
        host_code, wasm_code = marshal.loads(host[name]), marshal.loads(wasm[name])
        assert host_code.co_filename == wasm_code.co_filename
        assert host_code == wasm_code, name


@pytest.mark.wasm
def test_wasm_compiler_reports_syntax_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROXY_WASM_CACHE", str(tmp_path))
    monkeypatch.setenv("PROXY_WASM_BYTECODE_COMPILER", "wasm")
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\ndef f(:\n    pass\n")
    module = Module("bad", "user", bad, False, "bad.py")
    with pytest.raises(UserError) as info:
        bytecode.compile_modules([module])
    assert str(info.value).startswith(f"{bad}:2:")


def test_stdlib_and_sdk_lose_docstrings_the_users_code_keeps_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROXY_WASM_CACHE", str(tmp_path / "cache"))
    source = tmp_path / "filter.py"
    source.write_text('"""The user docstring."""\n\nimport enum\n\nimport proxy_wasm\n')
    graph = build_graph(source)
    by_name = {m.name: m for m in graph.python_modules}
    picked = [by_name[name] for name in ("filter", "proxy_wasm.context", "enum")]
    code = {
        name: marshal.loads(path.read_bytes())
        for name, path in bytecode.compile_modules(picked).items()
    }
    assert code["filter"].co_consts[0] == "The user docstring."
    for name in ("proxy_wasm.context", "enum"):
        assert not isinstance(code[name].co_consts[0], str), f"{name} kept its docstring"
    assert bytecode.level(by_name["filter"], 1) == 1
    assert bytecode.level(by_name["enum"], 0) == 2
