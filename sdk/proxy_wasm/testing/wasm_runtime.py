"""The wasm runtime: a compiled Proxy-Wasm module in wasmtime, served by the emulator.

Every ``env.proxy_*`` import of ABI v0.2.1 is defined with ``Linker.define_func`` as a thin adapter
(generated into ``_wasm_imports``): it reads pointers and sizes from linear memory, calls the
emulator method of the same name, and writes results back by calling the module's allocator
(``malloc``, else ``proxy_on_memory_allocate``, the order cpp-host uses) and storing
``ptr``/``size`` little-endian into the out-parameters. WASI comes from wasmtime (no preopens,
no inherited environment); writes to fd 1 and 2 become info and error logs, as in Envoy.

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
from proxy_wasm.testing._pairs import deserialize_pairs
from proxy_wasm.testing._wasm_imports import ADAPTERS

I32 = wasmtime.ValType.i32()
I64 = wasmtime.ValType.i64()

_ENGINE: wasmtime.Engine | None = None
_MODULES: dict[tuple[str, int, int], wasmtime.Module] = {}

#: name -> wasm parameter types ("i32"/"i64") of every env.proxy_* import; each returns an i32
#: status. The adapters are generated from the ABI table (runtime_shim/abi.py).
IMPORTS: dict[str, tuple[str, ...]] = {name: params for name, (params, _) in ADAPTERS.items()}

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
        try:
            module = wasmtime.Module(engine(), data)
        except wasmtime.WasmtimeError as exc:
            reason = str(exc).strip().splitlines()[0]
            raise WasmLoadError(f"{path}: not a valid WebAssembly module ({reason})") from None
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
        for name, (params, impl) in ADAPTERS.items():
            self._define(linker, name, params, impl)
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
    def _define(
        self,
        linker: wasmtime.Linker,
        name: str,
        wasm_params: tuple[str, ...],
        impl: Callable[..., int],
    ) -> None:
        params = [I64 if t == "i64" else I32 for t in wasm_params]

        def adapter(caller: Any, *args: int) -> int:
            if self._starting and name not in _ALLOWED_DURING_START:
                self.emulator.log_raw(em.CRITICAL, f"Attempted call to restricted {name}")
                return em.INTERNAL_FAILURE
            try:
                return impl(self, caller, *args)
            except _MemoryError:
                return em.INVALID_MEMORY_ACCESS

        self._host_functions.define(linker, "env", name, params, adapter)


class _MemoryError(Exception):
    """A pointer outside linear memory: the import returns INVALID_MEMORY_ACCESS."""
