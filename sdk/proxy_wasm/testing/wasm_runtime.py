"""The wasm runtime: a compiled Proxy-Wasm module in wasmtime, served by the emulator.

Every ``env.proxy_*`` import of ABI v0.2.1 is defined with ``Linker.define_func`` as a thin adapter:
it reads pointers and sizes from linear memory, calls the emulator method of the same name, and
writes results back by calling the module's allocator (``malloc``, else
``proxy_on_memory_allocate``, the order cpp-host uses) and storing ``ptr``/``size`` little-endian
into the out-parameters. WASI comes from wasmtime (no preopens, no inherited environment);
writes to fd 1 and 2 become info and error logs, as in Envoy.

Compiled ``wasmtime.Module`` objects are cached per path and mtime in the process, and on disk
(``Module.serialize``) under ``$PROXY_WASM_CACHE/wasmtime`` keyed by the file's sha256.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import struct
from collections.abc import Callable
from pathlib import Path
from typing import Any

import wasmtime

from proxy_wasm.testing import emulator as em
from proxy_wasm.testing._fastcall import ExportCaller, HostFunctions
from proxy_wasm.testing._pairs import deserialize_pairs, serialize_pairs

I32 = wasmtime.ValType.i32()
I64 = wasmtime.ValType.i64()

_ENGINE: wasmtime.Engine | None = None
_MODULES: dict[tuple[str, int, int], wasmtime.Module] = {}

# name -> parameter kinds ("i" i32, "I" i64); every proxy_* import returns an i32 status.
IMPORTS: dict[str, str] = {
    "proxy_log": "iii",
    "proxy_get_log_level": "i",
    "proxy_get_current_time_nanoseconds": "i",
    "proxy_set_tick_period_milliseconds": "i",
    "proxy_set_effective_context": "i",
    "proxy_done": "",
    "proxy_get_buffer_bytes": "iiiii",
    "proxy_get_buffer_status": "iii",
    "proxy_set_buffer_bytes": "iiiii",
    "proxy_get_header_map_pairs": "iii",
    "proxy_get_header_map_size": "ii",
    "proxy_set_header_map_pairs": "iii",
    "proxy_get_header_map_value": "iiiii",
    "proxy_add_header_map_value": "iiiii",
    "proxy_replace_header_map_value": "iiiii",
    "proxy_remove_header_map_value": "iii",
    "proxy_continue_stream": "i",
    "proxy_close_stream": "i",
    "proxy_send_local_response": "iiiiiiii",
    "proxy_get_status": "iii",
    "proxy_http_call": "iiiiiiiiii",
    "proxy_grpc_call": "iiiiiiiiiiii",
    "proxy_grpc_stream": "iiiiiiiii",
    "proxy_grpc_send": "iiii",
    "proxy_grpc_cancel": "i",
    "proxy_grpc_close": "i",
    "proxy_get_shared_data": "iiiii",
    "proxy_set_shared_data": "iiiii",
    "proxy_register_shared_queue": "iii",
    "proxy_resolve_shared_queue": "iiiii",
    "proxy_enqueue_shared_queue": "iii",
    "proxy_dequeue_shared_queue": "iii",
    "proxy_define_metric": "iiii",
    "proxy_record_metric": "iI",
    "proxy_increment_metric": "iI",
    "proxy_get_metric": "ii",
    "proxy_get_property": "iiii",
    "proxy_set_property": "iiii",
    "proxy_call_foreign_function": "iiiiii",
}

_ALLOWED_DURING_START = frozenset({"proxy_log"})


def engine() -> wasmtime.Engine:
    """The process-wide engine (modules compiled by one engine are only usable with it)."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = wasmtime.Engine()
    return _ENGINE


def _cache_dir() -> Path:
    base = os.environ.get("PROXY_WASM_CACHE") or str(Path.home() / ".cache" / "proxy-wasm-python")
    return Path(base) / "wasmtime"


def load_module(path: Path) -> wasmtime.Module:
    """Compile ``path`` (cached in-process by path+mtime, on disk by sha256)."""
    st = path.stat()
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    cached = _MODULES.get(key)
    if cached is not None:
        return cached
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    version = getattr(wasmtime, "__version__", "") or "wasmtime"
    disk = _cache_dir() / f"{digest}-{version}.cwasm"
    module: wasmtime.Module | None = None
    if disk.exists():
        try:
            module = wasmtime.Module.deserialize_file(engine(), str(disk))
        except Exception:
            module = None
    if module is None:
        module = wasmtime.Module(engine(), data)
        try:
            disk.parent.mkdir(parents=True, exist_ok=True)
            tmp = disk.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(bytes(module.serialize()))
            tmp.replace(disk)
        except OSError:
            pass
    _MODULES[key] = module
    return module


class WasmLoadError(Exception):
    """The module cannot be loaded the way Envoy would load it (message says why)."""


class WasmGuest:
    """A module instance whose exports the emulator calls as callbacks."""

    def __init__(
        self, emu: em.Emulator, path: Path, *, environment: dict[str, str] | None = None
    ) -> None:
        self.emulator = emu
        self.path = path
        module = load_module(path)
        export_names = {e.name for e in module.exports}
        if not {"proxy_abi_version_0_2_1", "proxy_abi_version_0_2_0"} & export_names:
            raise WasmLoadError(f"{path}: Missing or unknown Proxy-Wasm ABI version (needs 0.2.x)")
        if "malloc" not in export_names and "proxy_on_memory_allocate" not in export_names:
            raise WasmLoadError(f"{path}: Wasm module is missing malloc function.")
        self.store = wasmtime.Store(engine())
        wasi = wasmtime.WasiConfig()
        if environment:
            wasi.env = list(environment.items())
        self.store.set_wasi(wasi)
        linker = wasmtime.Linker(engine())
        linker.define_wasi()
        linker.allow_shadowing = True
        # Envoy's fd_write: fd 1 -> info log, fd 2 -> error log, one entry per call.
        linker.define_func(
            "wasi_snapshot_preview1",
            "fd_write",
            wasmtime.FuncType([I32, I32, I32, I32], [I32]),
            self._fd_write,
            access_caller=True,
        )
        self._starting = True
        self._host_functions = HostFunctions()
        imported = {(i.module, i.name) for i in module.imports}
        for name, kinds in IMPORTS.items():
            self._define(linker, name, kinds)
        if ("env", "emscripten_notify_memory_growth") in imported:
            linker.define_func(
                "env",
                "emscripten_notify_memory_growth",
                wasmtime.FuncType([I32], []),
                lambda _i: None,
            )
        if ("env", "pthread_equal") in imported:
            linker.define_func(
                "env",
                "pthread_equal",
                wasmtime.FuncType([I32, I32], [I32]),
                lambda a, b: int(a == b),
            )
        missing = [
            f"{m}.{n}"
            for m, n in sorted(imported)
            if m == "env"
            and n not in IMPORTS
            and n not in ("emscripten_notify_memory_growth", "pthread_equal")
        ]
        if missing:
            raise WasmLoadError(
                f"{path}: Failed to load Wasm module due to a missing import: {missing[0]}"
            )
        try:
            self.instance = linker.instantiate(self.store, module)
        except wasmtime.WasmtimeError as exc:
            raise WasmLoadError(f"{path}: {exc}") from exc
        exports = self.instance.exports(self.store)
        self.exports: dict[str, Any] = {name: exports[name] for name in export_names}
        memory = self.exports.get("memory")
        if not isinstance(memory, wasmtime.Memory):
            raise WasmLoadError(f"{path}: the module exports no memory")
        self.memory = memory
        self.malloc = ExportCaller(
            self.store, self.exports.get("malloc") or self.exports["proxy_on_memory_allocate"]
        )
        self.callbacks: dict[str, ExportCaller] = {
            n: ExportCaller(self.store, f)
            for n, f in self.exports.items()
            if n.startswith("proxy_on_") and isinstance(f, wasmtime.Func)
        }
        try:
            if "_initialize" in self.exports:
                self.exports["_initialize"](self.store)
                if "main" in self.exports:
                    self.exports["main"](self.store, 0, 0)
                elif "__main_void" in self.exports:
                    self.exports["__main_void"](self.store)
            elif "_start" in self.exports:
                self.exports["_start"](self.store)
        except wasmtime.Trap as trap:
            raise WasmLoadError(f"{path}: the module's start function trapped: {trap}") from trap
        finally:
            self._starting = False

    # -- WASI output --------------------------------------------------------------------------
    def _fd_write(self, caller: Any, fd: int, iovs: int, iovs_len: int, nwritten: int) -> int:
        if fd not in (1, 2):
            return 8  # BADF
        try:
            raw = self.read(caller, iovs, 8 * (iovs_len & 0xFFFF))
            chunks = []
            for i in range(iovs_len):
                ptr, size = struct.unpack_from("<II", raw, 8 * i)
                chunks.append(self.read(caller, ptr, size))
            data = b"".join(chunks)
            self.write_u32(caller, nwritten, len(data))
        except _MemoryError:
            return 21  # FAULT
        if data:
            level = em.INFO if fd == 1 else em.ERROR
            self.emulator.log_raw(level, data.decode("utf-8", "replace").removesuffix("\n"))
        return 0

    # -- callbacks ------------------------------------------------------------------------------
    def call(self, name: str, *args: int) -> int:
        func = self.callbacks.get(name)
        if func is None:
            return em.callback_default(name)
        try:
            result = func(*args)
        except wasmtime.Trap as trap:
            raise em.GuestTrap(str(trap).strip()) from trap
        except wasmtime.WasmtimeError as exc:
            raise em.GuestTrap(str(exc).strip()) from exc
        return int(result) if result is not None else 0

    # -- memory helpers -------------------------------------------------------------------------
    def _base(self, caller: Any) -> tuple[int, int]:
        return ctypes.addressof(self.memory.data_ptr(caller).contents), self.memory.data_len(caller)

    def read(self, caller: Any, ptr: int, size: int) -> bytes:
        ptr &= 0xFFFFFFFF
        size &= 0xFFFFFFFF
        if size == 0:
            return b""
        base, length = self._base(caller)
        if ptr + size > length:
            raise _MemoryError
        return ctypes.string_at(base + ptr, size)

    def write_u32(self, caller: Any, ptr: int, value: int) -> None:
        self._store(caller, ptr, struct.pack("<I", value & 0xFFFFFFFF))

    def write_u64(self, caller: Any, ptr: int, value: int) -> None:
        self._store(caller, ptr, struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))

    def _store(self, caller: Any, ptr: int, data: bytes) -> None:
        ptr &= 0xFFFFFFFF
        base, length = self._base(caller)
        if ptr + len(data) > length:
            raise _MemoryError
        ctypes.memmove(base + ptr, data, len(data))

    def write_out(self, caller: Any, data: bytes, ptr_out: int, size_out: int) -> None:
        """Copy ``data`` into a block the module allocates; store its pointer and size."""
        addr = 0
        if data:
            addr = int(self.malloc(len(data)) or 0) & 0xFFFFFFFF
            if addr == 0:
                raise _MemoryError
            self._store(caller, addr, data)
        self.write_u32(caller, ptr_out, addr)
        self.write_u32(caller, size_out, len(data))

    def pairs(self, caller: Any, ptr: int, size: int) -> list[tuple[bytes, bytes]] | None:
        return deserialize_pairs(self.read(caller, ptr, size))

    # -- imports --------------------------------------------------------------------------------
    def _define(self, linker: wasmtime.Linker, name: str, kinds: str) -> None:
        impl: Callable[..., int] = getattr(self, "_" + name)
        params = [I64 if k == "I" else I32 for k in kinds]

        def adapter(caller: Any, *args: int) -> int:
            if self._starting and name not in _ALLOWED_DURING_START:
                self.emulator.log_raw(em.CRITICAL, f"Attempted call to restricted {name}")
                return em.INTERNAL_FAILURE
            try:
                return impl(caller, *args)
            except _MemoryError:
                return em.INVALID_MEMORY_ACCESS

        self._host_functions.define(linker, "env", name, params, adapter)

    # Each adapter below: read arguments, call the emulator, write out-parameters.
    def _proxy_log(self, c: Any, level: int, ptr: int, size: int) -> int:
        return self.emulator.proxy_log(level, self.read(c, ptr, size))

    def _proxy_get_log_level(self, c: Any, out: int) -> int:
        status, level = self.emulator.proxy_get_log_level()
        self.write_u32(c, out, level)
        return status

    def _proxy_get_current_time_nanoseconds(self, c: Any, out: int) -> int:
        status, now = self.emulator.proxy_get_current_time_nanoseconds()
        self.write_u64(c, out, now)
        return status

    def _proxy_set_tick_period_milliseconds(self, c: Any, period: int) -> int:
        return self.emulator.proxy_set_tick_period_milliseconds(period & 0xFFFFFFFF)

    def _proxy_set_effective_context(self, c: Any, cid: int) -> int:
        return self.emulator.proxy_set_effective_context(cid & 0xFFFFFFFF)

    def _proxy_done(self, c: Any) -> int:
        return self.emulator.proxy_done()

    def _proxy_get_buffer_bytes(
        self, c: Any, t: int, start: int, size: int, pp: int, ps: int
    ) -> int:
        status, data = self.emulator.proxy_get_buffer_bytes(
            t, start & 0xFFFFFFFF, size & 0xFFFFFFFF
        )
        if status == em.OK and data is not None:
            self.write_out(c, data, pp, ps)
        return status

    def _proxy_get_buffer_status(self, c: Any, t: int, ps: int, pf: int) -> int:
        status, size, flags = self.emulator.proxy_get_buffer_status(t)
        if status == em.OK:
            self.write_u32(c, ps, size)
            self.write_u32(c, pf, flags)
        return status

    def _proxy_set_buffer_bytes(self, c: Any, t: int, start: int, size: int, p: int, s: int) -> int:
        return self.emulator.proxy_set_buffer_bytes(
            t, start & 0xFFFFFFFF, size & 0xFFFFFFFF, self.read(c, p, s)
        )

    def _proxy_get_header_map_pairs(self, c: Any, t: int, pp: int, ps: int) -> int:
        status, pairs = self.emulator.proxy_get_header_map_pairs(t)
        if status == em.OK and pairs is not None:
            self.write_out(c, serialize_pairs(pairs), pp, ps)
        return status

    def _proxy_get_header_map_size(self, c: Any, t: int, ps: int) -> int:
        status, size = self.emulator.proxy_get_header_map_size(t)
        if status == em.OK:
            self.write_u32(c, ps, size)
        return status

    def _proxy_set_header_map_pairs(self, c: Any, t: int, p: int, s: int) -> int:
        pairs = self.pairs(c, p, s)
        if pairs is None:
            return em.BAD_ARGUMENT
        return self.emulator.proxy_set_header_map_pairs(t, pairs)

    def _proxy_get_header_map_value(
        self, c: Any, t: int, kp: int, ks: int, pp: int, ps: int
    ) -> int:
        status, value = self.emulator.proxy_get_header_map_value(t, self.read(c, kp, ks))
        if status == em.OK and value is not None:
            self.write_out(c, value, pp, ps)
        return status

    def _proxy_add_header_map_value(
        self, c: Any, t: int, kp: int, ks: int, vp: int, vs: int
    ) -> int:
        return self.emulator.proxy_add_header_map_value(
            t, self.read(c, kp, ks), self.read(c, vp, vs)
        )

    def _proxy_replace_header_map_value(
        self, c: Any, t: int, kp: int, ks: int, vp: int, vs: int
    ) -> int:
        return self.emulator.proxy_replace_header_map_value(
            t, self.read(c, kp, ks), self.read(c, vp, vs)
        )

    def _proxy_remove_header_map_value(self, c: Any, t: int, kp: int, ks: int) -> int:
        return self.emulator.proxy_remove_header_map_value(t, self.read(c, kp, ks))

    def _proxy_continue_stream(self, c: Any, t: int) -> int:
        return self.emulator.proxy_continue_stream(t)

    def _proxy_close_stream(self, c: Any, t: int) -> int:
        return self.emulator.proxy_close_stream(t)

    def _proxy_send_local_response(
        self, c: Any, code: int, dp: int, ds: int, bp: int, bs: int, hp: int, hs: int, grpc: int
    ) -> int:
        headers = self.pairs(c, hp, hs)
        if headers is None:
            return em.BAD_ARGUMENT
        return self.emulator.proxy_send_local_response(
            code & 0xFFFFFFFF,
            self.read(c, dp, ds),
            self.read(c, bp, bs),
            headers,
            grpc & 0xFFFFFFFF,
        )

    def _proxy_get_status(self, c: Any, pcode: int, pp: int, ps: int) -> int:
        status, code, message = self.emulator.proxy_get_status()
        if status == em.OK:
            self.write_u32(c, pcode, code)
            self.write_out(c, message, pp, ps)
        return status

    def _proxy_http_call(
        self,
        c: Any,
        up: int,
        us: int,
        hp: int,
        hs: int,
        bp: int,
        bs: int,
        tp: int,
        ts: int,
        timeout: int,
        out: int,
    ) -> int:
        headers = self.pairs(c, hp, hs)
        trailers = self.pairs(c, tp, ts)
        if headers is None or trailers is None:
            return em.BAD_ARGUMENT
        status, token = self.emulator.proxy_http_call(
            self.read(c, up, us), headers, self.read(c, bp, bs), trailers, timeout & 0xFFFFFFFF
        )
        if status == em.OK:
            self.write_u32(c, out, token)
        return status

    def _proxy_grpc_call(
        self,
        c: Any,
        up: int,
        us: int,
        sp: int,
        ss: int,
        mp: int,
        ms: int,
        hp: int,
        hs: int,
        gp: int,
        gs: int,
        timeout: int,
        out: int,
    ) -> int:
        metadata = self.pairs(c, hp, hs)
        if metadata is None:
            return em.BAD_ARGUMENT
        status, token = self.emulator.proxy_grpc_call(
            self.read(c, up, us),
            self.read(c, sp, ss),
            self.read(c, mp, ms),
            metadata,
            self.read(c, gp, gs),
            timeout & 0xFFFFFFFF,
        )
        if status == em.OK:
            self.write_u32(c, out, token)
        return status

    def _proxy_grpc_stream(
        self,
        c: Any,
        up: int,
        us: int,
        sp: int,
        ss: int,
        mp: int,
        ms: int,
        hp: int,
        hs: int,
        out: int,
    ) -> int:
        metadata = self.pairs(c, hp, hs)
        if metadata is None:
            return em.BAD_ARGUMENT
        status, token = self.emulator.proxy_grpc_stream(
            self.read(c, up, us), self.read(c, sp, ss), self.read(c, mp, ms), metadata
        )
        if status == em.OK:
            self.write_u32(c, out, token)
        return status

    def _proxy_grpc_send(self, c: Any, token: int, p: int, s: int, eos: int) -> int:
        return self.emulator.proxy_grpc_send(token & 0xFFFFFFFF, self.read(c, p, s), bool(eos))

    def _proxy_grpc_cancel(self, c: Any, token: int) -> int:
        return self.emulator.proxy_grpc_cancel(token & 0xFFFFFFFF)

    def _proxy_grpc_close(self, c: Any, token: int) -> int:
        return self.emulator.proxy_grpc_close(token & 0xFFFFFFFF)

    def _proxy_get_shared_data(self, c: Any, kp: int, ks: int, pp: int, ps: int, pcas: int) -> int:
        status, entry = self.emulator.proxy_get_shared_data(self.read(c, kp, ks))
        if status == em.OK and entry is not None:
            self.write_out(c, entry[0], pp, ps)
            self.write_u32(c, pcas, entry[1])
        return status

    def _proxy_set_shared_data(self, c: Any, kp: int, ks: int, vp: int, vs: int, cas: int) -> int:
        return self.emulator.proxy_set_shared_data(
            self.read(c, kp, ks), self.read(c, vp, vs), cas & 0xFFFFFFFF
        )

    def _proxy_register_shared_queue(self, c: Any, np: int, ns: int, out: int) -> int:
        status, qid = self.emulator.proxy_register_shared_queue(self.read(c, np, ns))
        if status == em.OK:
            self.write_u32(c, out, qid)
        return status

    def _proxy_resolve_shared_queue(
        self, c: Any, vp: int, vs: int, np: int, ns: int, out: int
    ) -> int:
        status, qid = self.emulator.proxy_resolve_shared_queue(
            self.read(c, vp, vs), self.read(c, np, ns)
        )
        if status == em.OK and qid is not None:
            self.write_u32(c, out, qid)
        return status

    def _proxy_enqueue_shared_queue(self, c: Any, qid: int, p: int, s: int) -> int:
        return self.emulator.proxy_enqueue_shared_queue(qid & 0xFFFFFFFF, self.read(c, p, s))

    def _proxy_dequeue_shared_queue(self, c: Any, qid: int, pp: int, ps: int) -> int:
        status, value = self.emulator.proxy_dequeue_shared_queue(qid & 0xFFFFFFFF)
        if status == em.OK and value is not None:
            self.write_out(c, value, pp, ps)
        return status

    def _proxy_define_metric(self, c: Any, t: int, np: int, ns: int, out: int) -> int:
        status, mid = self.emulator.proxy_define_metric(t, self.read(c, np, ns))
        if status == em.OK:
            self.write_u32(c, out, mid)
        return status

    def _proxy_record_metric(self, c: Any, mid: int, value: int) -> int:
        return self.emulator.proxy_record_metric(mid & 0xFFFFFFFF, value & em.U64)

    def _proxy_increment_metric(self, c: Any, mid: int, delta: int) -> int:
        return self.emulator.proxy_increment_metric(mid & 0xFFFFFFFF, delta)

    def _proxy_get_metric(self, c: Any, mid: int, out: int) -> int:
        status, value = self.emulator.proxy_get_metric(mid & 0xFFFFFFFF)
        if status == em.OK:
            self.write_u64(c, out, value)
        return status

    def _proxy_get_property(self, c: Any, pp: int, ps: int, op: int, os_: int) -> int:
        status, value = self.emulator.proxy_get_property(self.read(c, pp, ps))
        if status == em.OK and value is not None:
            self.write_out(c, value, op, os_)
        return status

    def _proxy_set_property(self, c: Any, pp: int, ps: int, vp: int, vs: int) -> int:
        return self.emulator.proxy_set_property(self.read(c, pp, ps), self.read(c, vp, vs))

    def _proxy_call_foreign_function(
        self, c: Any, np: int, ns: int, ap: int, as_: int, pp: int, ps: int
    ) -> int:
        status, result = self.emulator.proxy_call_foreign_function(
            self.read(c, np, ns), self.read(c, ap, as_)
        )
        if status == em.OK and result is not None:
            self.write_out(c, result, pp, ps)
        return status


class _MemoryError(Exception):
    """A pointer outside linear memory: the import returns INVALID_MEMORY_ACCESS."""
