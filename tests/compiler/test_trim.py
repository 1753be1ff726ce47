"""The trim stage: compiling source at run time raises a clear RuntimeError in a trimmed module
(never a trap), works with --no-trim, load_config still resolves string annotations, and the
metadata says what was trimmed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_compiler.metadata import append_custom_section
from proxy_wasm_compiler.trim import (
    COMPILER_ENTRY_POINTS,
    SHUTDOWN,
    START_UP,
    strip_custom_sections,
)
from proxy_wasm_compiler.wasm_module import read_module

RUNTIME_COMPILE = """
from __future__ import annotations

import collections
from dataclasses import dataclass, field

import proxy_wasm


@dataclass
class Inner:
    names: list[str] = field(default_factory=list)


class Root(proxy_wasm.RootContext):
    @dataclass
    class Config:
        expression: str
        inner: Inner | None = None

    def on_configure(self, size: int) -> bool:
        config = proxy_wasm.load_config(self.Config, self.get_plugin_configuration())
        proxy_wasm.log.info(f"inner={config.inner}")
        for what, run in (
            ("eval", lambda: eval(config.expression)),
            ("exec", lambda: exec(config.expression)),
            ("compile", lambda: compile(config.expression, "<x>", "eval")),
            ("namedtuple", lambda: collections.namedtuple("P", "x y")),
        ):
            try:
                proxy_wasm.log.info(f"{what}={run()!r}")
            except RuntimeError as exc:
                proxy_wasm.log.info(f"{what} raised {exc}")
        return True


proxy_wasm.set_root_context(Root)
"""
CONFIG = b'{"expression": "6 * 7", "inner": {"names": ["a"]}}'


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("trim") / "filter.py"
    path.write_text(RUNTIME_COMPILE)
    return path


def _configure(module: Path) -> list[str]:
    from proxy_wasm.testing import Host

    host = Host(module, runtime="wasm", plugin_config=CONFIG)
    assert host.start()
    return [message for _level, message in host.emulator.logs]


def test_compiling_at_run_time_raises_in_a_trimmed_module(source: Path) -> None:
    built = build_filter(source, options=BuildOptions(reuse=True))
    logs = _configure(built.path)
    assert "inner=Inner(names=['a'])" in logs  # string annotations resolved before the snapshot
    expected = (
        "raised compiling Python source at run time was removed from this module by trimming; "
        "build with --no-trim to keep it"
    )
    for what in ("eval", "exec", "compile", "namedtuple"):
        assert f"{what} {expected}" in logs
    info = read_module(built.path).build_info()
    assert info is not None
    trim = info["trim"]
    core = {"_PyParser_ASTFromString", "_PyAST_Compile", "_PySymtable_Build", "PyAST_mod2obj"}
    assert core <= set(trim["replaced"]) <= set(COMPILER_ENTRY_POINTS + START_UP + SHUTDOWN)
    assert trim["parser_internal"] > 200
    assert "Py_InitializeFromConfig" in trim["replaced"]
    assert trim["functions_after"] < trim["functions_before"] * 0.75
    assert trim["code_bytes_after"] < trim["code_bytes_before"] * 0.65
    assert "functions removed" in _inspect(built.path) and "_PyAST_Compile" in _inspect(built.path)


def test_no_trim_keeps_the_compiler(source: Path) -> None:
    built = build_filter(source, options=BuildOptions(trim=False, reuse=True))
    logs = _configure(built.path)
    assert "eval=42" in logs and "compile=<code object <module> at" not in logs
    assert any(line.startswith("namedtuple=<class ") for line in logs)
    info = read_module(built.path).build_info()
    assert info is not None and info["trim"] is None
    assert read_module(built.path).custom_section("name") is None
    assert "trimmed          no (built with --no-trim" in _inspect(built.path)


def _inspect(module: Path) -> str:
    from click.testing import CliRunner

    from proxy_wasm_cli import cli

    result = CliRunner().invoke(cli, ["inspect", str(module)])
    assert result.exit_code == 0, result.output
    return result.output


_SECTION = st.one_of(
    st.tuples(st.just(0), st.sampled_from(["name", "producers", ".debug_info", "x"]), st.binary()),
    st.tuples(st.integers(1, 12), st.just(""), st.binary(max_size=300)),
)


@given(st.lists(_SECTION, max_size=8), st.sets(st.sampled_from(["name", "producers", "x"])))
def test_strip_custom_sections_keeps_every_other_section(
    sections: list[tuple[int, str, bytes]], keep: set[str]
) -> None:
    from proxy_wasm.protobuf import varint

    module = expected = b"\x00asm\x01\x00\x00\x00"
    for section, name, payload in sections:
        if section == 0:
            module = append_custom_section(module, name, payload)
            if name in keep:
                expected = append_custom_section(expected, name, payload)
        else:
            encoded = bytes([section]) + varint(len(payload)) + payload
            module += encoded
            expected += encoded
    assert strip_custom_sections(module, keep=tuple(keep)) == expected
