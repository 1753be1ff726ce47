"""A built module has the ABI's exports, only imports every proxy provides, and its metadata."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_compiler.metadata import METADATA_SECTION
from proxy_wasm_compiler.proxies import PROXIES, missing_imports
from proxy_wasm_compiler.wasm_module import WasmModule, read_module

FILTER = Path(__file__).parent / "filters" / "ok_local_package" / "filter.py"
CALLBACKS = [
    "proxy_on_context_create",
    "proxy_on_vm_start",
    "proxy_on_configure",
    "proxy_on_tick",
    "proxy_on_queue_ready",
    "proxy_on_foreign_function",
    "proxy_on_new_connection",
    "proxy_on_downstream_data",
    "proxy_on_upstream_data",
    "proxy_on_downstream_connection_close",
    "proxy_on_upstream_connection_close",
    "proxy_on_request_headers",
    "proxy_on_request_body",
    "proxy_on_request_trailers",
    "proxy_on_response_headers",
    "proxy_on_response_body",
    "proxy_on_response_trailers",
    "proxy_on_http_call_response",
    "proxy_on_grpc_receive_initial_metadata",
    "proxy_on_grpc_receive",
    "proxy_on_grpc_receive_trailing_metadata",
    "proxy_on_grpc_close",
    "proxy_on_log",
    "proxy_on_done",
    "proxy_on_delete",
]
OLDEST_WASI = {
    "fd_write",
    "fd_read",
    "fd_seek",
    "fd_close",
    "fd_fdstat_get",
    "environ_get",
    "environ_sizes_get",
    "args_get",
    "args_sizes_get",
    "proc_exit",
    "clock_time_get",
    "random_get",
}


@pytest.fixture(scope="module", params=["snapshot", "no-snapshot"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> WasmModule:
    out = tmp_path_factory.mktemp("built") / "filter.wasm"
    options = BuildOptions(snapshot=request.param == "snapshot", reuse=True)
    result = build_filter(FILTER, out, options=options)
    assert result.path == out and out.stat().st_size == result.size
    return read_module(out)


@pytest.mark.wasm
def test_exports_the_whole_abi(built: WasmModule) -> None:
    assert built.abi_version == "0.2.1"
    for name in [
        "proxy_abi_version_0_2_1",
        "malloc",
        "proxy_on_memory_allocate",
        "_initialize",
        *CALLBACKS,
    ]:
        assert built.has_export(name), name
    # The snapshot consumed its init function; only the no-op `_initialize` remains.
    if (
        built.custom_section(METADATA_SECTION)
        and json.loads(built.custom_section(METADATA_SECTION) or b"{}")["snapshot"]
    ):
        assert not any(name.startswith("pw_") for name in built.export_names)


@pytest.mark.wasm
def test_imports_and_exports_follow_the_abi_table(built: WasmModule) -> None:
    from proxy_wasm_shim import abi

    env = {i.name: i.type for i in built.imports if i.module == "env"}
    for name, ftype in env.items():
        assert ftype is not None
        assert ftype.params == abi.import_named(name).wasm_params(), name
        assert ftype.results == ("i32",), name
    exports = {e.name: e.type for e in built.exports}
    for cb in abi.CALLBACKS:
        ftype = exports[cb.name]
        assert ftype is not None
        assert ftype.params == ("i32",) * len(cb.params), cb.name
        assert ftype.results == (() if cb.result == "void" else ("i32",)), cb.name


@pytest.mark.wasm
def test_imports_load_on_every_known_proxy(built: WasmModule) -> None:
    wasi = {i.name for i in built.imports if i.module == "wasi_snapshot_preview1"}
    assert wasi <= OLDEST_WASI, wasi - OLDEST_WASI
    env = {i.name for i in built.imports if i.module == "env"}
    assert len(env) == 39 and all(name.startswith("proxy_") for name in env)
    for proxy in PROXIES:
        assert missing_imports(built.imports, proxy, built.abi_version) == [], proxy.key


@pytest.mark.wasm
def test_metadata_section(built: WasmModule) -> None:
    raw = built.custom_section(METADATA_SECTION)
    assert raw is not None
    meta = json.loads(raw)
    assert meta["python_version"] == "3.11.8"
    assert meta["abi_version"] == "0.2.1"
    assert meta["filter_module"] == "filter"
    assert {"filter", "helpers", "helpers.tagging", "json", "proxy_wasm._dispatch"} <= set(
        meta["frozen_modules"]
    )
    assert "_json" in meta["builtin_modules"]
    assert "_socket" not in meta["builtin_modules"]


@pytest.mark.wasm
def test_each_build_gets_its_own_hash_secret(tmp_path: Path) -> None:
    first = build_filter(FILTER, tmp_path / "a.wasm", options=BuildOptions(snapshot=False))
    second = build_filter(FILTER, tmp_path / "b.wasm", options=BuildOptions(snapshot=False))
    assert first.path.read_bytes() != second.path.read_bytes()


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _name(text: str) -> bytes:
    return _leb(len(text)) + text.encode()


def test_import_check_refuses_what_envoy_would_refuse() -> None:
    from proxy_wasm_compiler.check import check_module_imports
    from proxy_wasm_compiler.errors import UserError

    # (i32 x7) -> i32: the WASI signature of path_link, which Envoy 1.40 registers mis-typed.
    types = _leb(1) + b"\x60" + _leb(7) + b"\x7f" * 7 + _leb(1) + b"\x7f"
    imports = _leb(1) + _name("wasi_snapshot_preview1") + _name("path_link") + b"\x00" + _leb(0)
    module = (
        b"\x00asm\x01\x00\x00\x00"
        + b"\x01"
        + _leb(len(types))
        + types
        + b"\x02"
        + _leb(len(imports))
        + imports
    )
    with pytest.raises(UserError) as info:
        check_module_imports(module, "envoy-1.40")
    assert "Envoy 1.40 would refuse this module" in str(info.value)
    assert "path_link" in str(info.value) and "import type mismatch" in str(info.value)


@pytest.mark.wasm
@pytest.mark.parametrize("snapshot", [True, False], ids=["snapshot", "no-snapshot"])
def test_built_module_runs_in_the_test_host(snapshot: bool, tmp_path: Path) -> None:
    from proxy_wasm.testing import Host

    out = build_filter(
        FILTER, tmp_path / "f.wasm", options=BuildOptions(snapshot=snapshot, reuse=True)
    ).path
    host = Host(out, runtime="wasm")
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", ":method": "GET"})
    assert stream.request_header("x-tag") == 'local-package:{"n": 2}'


@pytest.mark.wasm
def test_the_snapshot_heap_is_frozen_out_of_garbage_collection(tmp_path: Path) -> None:
    """A collection in the proxy must not walk every object of the snapshot."""
    from proxy_wasm.testing import Host

    source = tmp_path / "filter.py"
    source.write_text(
        "import gc\n\nimport proxy_wasm\n\n\n"
        "class Root(proxy_wasm.RootContext):\n"
        "    def on_vm_start(self, size: int) -> bool:\n"
        "        proxy_wasm.log.info(f'frozen={gc.get_freeze_count()}')\n"
        "        return True\n\n\n"
        "proxy_wasm.set_root_context(Root)\n"
    )
    host = Host(build_filter(source, options=BuildOptions(reuse=True)).path, runtime="wasm")
    assert host.start_vm()
    (message,) = [m for _level, m in host.emulator.logs if m.startswith("frozen=")]
    assert int(message.removeprefix("frozen=")) > 1_000  # 0 without the freeze
