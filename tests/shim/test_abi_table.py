"""The ABI table (runtime_shim/abi.py) is the one description: what is generated from it is
current, and what is written by hand around it agrees with it."""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm import _dispatch, _hostabi, types
from proxy_wasm.context import HttpContext, RootContext, StreamContext
from proxy_wasm.errors import ProxyWasmError
from proxy_wasm.testing.emulator import Emulator
from proxy_wasm.testing.null_binding import NullHost
from proxy_wasm.testing.wasm_runtime import IMPORTS as WASM_IMPORTS
from proxy_wasm_compiler import proxies
from proxy_wasm_shim import abi, generate
from proxy_wasm_shim.native.binding import EnvoyHost
from tests.sdk.conftest import FakeHost


def test_generated_files_are_current(tmp_path: Path) -> None:
    """Regenerate into a temporary tree and compare with the checked-in files."""
    for rel in generate.REGIONS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(generate.ROOT / rel, tmp_path / rel)
    for rel in generate.WHOLE_FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
    assert generate.main(["--root", str(tmp_path)]) == 0
    stale = [
        rel
        for rel in [*generate.WHOLE_FILES, *generate.REGIONS]
        if (tmp_path / rel).read_text() != (generate.ROOT / rel).read_text()
    ]
    assert stale == [], f"stale generated files {stale}: run {generate.COMMAND}"


def test_check_mode_names_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for rel in [*generate.WHOLE_FILES, *generate.REGIONS]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(generate.ROOT / rel, tmp_path / rel)
    assert generate.main(["--check", "--root", str(tmp_path)]) == 0
    target = tmp_path / "runtime_shim/abi_imports.h"
    target.write_text(target.read_text().replace("proxy_done", "proxy_gone"))
    assert generate.main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale: runtime_shim/abi_imports.h" in capsys.readouterr().out


def test_sdk_enums_are_the_table_enums() -> None:
    for enum in abi.ENUMS:
        sdk_enum = getattr(types, enum.name)
        assert [(m.name, m.value) for m in sdk_enum] == list(enum.members)


@pytest.mark.parametrize("host_class", [NullHost, FakeHost, Emulator])
def test_every_host_serves_every_import_with_its_python_signature(host_class: type) -> None:
    for imp in abi.IMPORTS:
        params = list(inspect.signature(getattr(host_class, imp.name)).parameters)[1:]
        assert params == [p.name for p in imp.params], imp.name


def test_protocol_lists_exactly_the_table() -> None:
    names = {n for n in vars(_hostabi.HostABI) if n.startswith("proxy_")}
    assert names == {i.name for i in abi.IMPORTS}


def test_wasm_runtime_defines_every_import_with_its_wasm_signature() -> None:
    assert {i.name: i.wasm_params() for i in abi.IMPORTS} == WASM_IMPORTS


def test_dispatcher_serves_every_callback() -> None:
    for cb in abi.CALLBACKS:
        fn = getattr(_dispatch, cb.name)
        if inspect.isfunction(fn) and fn.__code__.co_flags & inspect.CO_VARARGS == 0:
            assert fn.__code__.co_argcount == len(cb.params), cb.name


def test_mask_bits_name_context_methods() -> None:
    assert tuple(c.name for c in abi.optional_callbacks()) == _hostabi.CALLBACK_BITS
    classes = (RootContext, HttpContext, StreamContext)
    for cb in abi.optional_callbacks():
        assert any(hasattr(cls, str(cb.method)) for cls in classes), cb.method


def test_proxies_take_the_import_list_from_the_table() -> None:
    everything = proxies.PROXY_COMMON | proxies.PROXY_ABI_SPECIFIC[abi.ABI_VERSION]
    assert everything == {i.name for i in abi.IMPORTS}
    assert len(proxies.PROXY_COMMON) == 36


def test_wasm_signatures_match_the_c_declarations() -> None:
    header = (generate.ROOT / "runtime_shim/abi_imports.h").read_text()
    for imp in abi.IMPORTS:
        decl = next(line for line in header.splitlines() if f" {imp.name}(" in line)
        args = decl.split("(", 2)[2].rstrip(");")
        count = 0 if args == "void" else args.count(",") + 1
        assert count == len(imp.wasm_params()), imp.name
        assert len(re.findall(r"int64_t \w", decl)) == imp.wasm_params().count("i64"), imp.name


class _ScriptedEmulator:
    """Answers every host call with one status and the table's result shape."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.calls: list[tuple[str, tuple[object, ...]]] = []

    def __getattr__(self, name: str) -> Callable[..., object]:
        imp = abi.import_named(name)

        def call(*args: object) -> object:
            self.calls.append((name, args))
            values: list[object] = [
                b"v" if r.type == "bytes" else [(b"k", b"v")] if r.type == "pairs" else 7
                for r in imp.results
            ]
            if not values:
                return self.status
            if imp.grouped:
                return self.status, tuple(values)
            return (self.status, *values)

        return call


@given(
    st.sampled_from(abi.IMPORTS),
    st.sampled_from(sorted(abi.STATUS.values())),
    st.integers(min_value=-(2**40), max_value=2**40),
)
@pytest.mark.parametrize("binding", [NullHost, EnvoyHost])
def test_bindings_map_statuses_as_the_table_says(
    binding: type, imp: abi.Import, status: int, number: int
) -> None:
    emulator = _ScriptedEmulator(status)
    host = binding(emulator)
    args = [
        b"x" if p.type == "bytes" else [(b"a", b"b")] if p.type == "pairs" else number
        for p in imp.params
    ]
    call = getattr(host, imp.name)
    absent = {abi.STATUS[a] for a in imp.absent}
    if status == 0:
        result = call(*args)
        if len(imp.results) > 1:
            assert isinstance(result, tuple) and len(result) == len(imp.results)
        elif not imp.results:
            assert result is None
    elif status in absent:
        assert call(*args) is None
    else:
        with pytest.raises(ProxyWasmError) as info:
            call(*args)
        assert info.value.status == status
    ((name, sent),) = emulator.calls
    assert name == imp.name
    for p, value in zip(imp.params, sent, strict=True):
        if p.type == "u32":
            assert value == number & 0xFFFFFFFF


def test_check_mode_names_a_stale_native_binding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for rel in [*generate.WHOLE_FILES, *generate.REGIONS]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(generate.ROOT / rel, tmp_path / rel)
    target = tmp_path / "runtime_shim/native/binding.py"
    target.write_text(target.read_text().replace("return None", "return b''", 1))
    assert generate.main(["--check", "--root", str(tmp_path)]) == 1
    assert "stale: runtime_shim/native/binding.py" in capsys.readouterr().out


@pytest.fixture
def envoy_calls() -> Iterator[type]:
    """``EnvoyCalls`` (the native runtime's hand-written part) imported outside Envoy, its
    built-in ``_proxy_wasm_envoy`` replaced by an empty module."""
    saved = {
        n: sys.modules.pop(n, None) for n in ("_proxy_wasm_envoy", "proxy_wasm_shim.native.host")
    }
    sys.modules["_proxy_wasm_envoy"] = ModuleType("_proxy_wasm_envoy")
    try:
        yield importlib.import_module("proxy_wasm_shim.native.host").EnvoyCalls
    finally:
        for name, module in saved.items():
            sys.modules.pop(name, None)
            if module is not None:
                sys.modules[name] = module


def test_native_binding_serves_every_import_with_its_python_signature(envoy_calls: type) -> None:
    for imp in abi.IMPORTS:
        params = list(inspect.signature(getattr(envoy_calls, imp.name)).parameters)[1:]
        assert params == [p.name for p in imp.params], imp.name
        assert imp.name in vars(EnvoyHost), imp.name


@pytest.mark.parametrize(
    "name",
    [
        "proxy_grpc_call",
        "proxy_grpc_stream",
        "proxy_grpc_send",
        "proxy_grpc_cancel",
        "proxy_grpc_close",
    ],
)
def test_native_binding_refuses_what_dynamic_modules_cannot_serve(
    envoy_calls: type, name: str
) -> None:
    imp = abi.import_named(name)
    host = EnvoyHost(envoy_calls(object()))
    args: list[object] = [
        b"x" if p.type == "bytes" else [] if p.type == "pairs" else 1 for p in imp.params
    ]
    with pytest.raises(ProxyWasmError) as info:
        getattr(host, name)(*args)
    assert info.value.status == abi.STATUS["UNIMPLEMENTED"]
    assert info.value.call == name
