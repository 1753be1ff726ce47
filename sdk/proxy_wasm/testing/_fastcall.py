"""Fast calls between Python and a wasmtime module for integer-only signatures.

wasmtime-py's ``Func.__call__`` and ``Linker.define_func`` look the function type up and convert
every value through ``Val`` objects on each call, which costs more than the filter itself. Every
Proxy-Wasm callback and host function takes and returns only i32/i64, so this module uses
wasmtime's *unchecked* C API instead: arguments and results travel in one raw value array.
Errors keep wasmtime-py's behaviour (a Python exception in a host function traps the guest and
is re-raised from the call that entered wasm).
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any

import wasmtime
from wasmtime import _ffi as ffi
from wasmtime import _func

_RAW = ffi.wasmtime_val_raw_t


def _ignore(_data: Any) -> None:
    pass


_no_finalizer = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(_ignore)


class ExportCaller:
    """Calls one exported function whose parameters and results are i32 (or none)."""

    def __init__(self, store: wasmtime.Store, func: wasmtime.Func) -> None:
        ty = func.type(store)
        self.store = store
        self.func = func
        self.nparams = len(ty.params)
        self.nresults = len(ty.results)
        self.raw = (_RAW * max(1, self.nparams, self.nresults))()

    def __call__(self, *args: int) -> int | None:
        raw = self.raw
        for i, value in enumerate(args):
            raw[i].i64 = 0
            raw[i].i32 = value
        with _func.enter_wasm(self.store) as trap:
            error = ffi.wasmtime_func_call_unchecked(
                self.store._context(), ctypes.byref(self.func._func), raw, len(raw), trap
            )
            if error:
                raise wasmtime.WasmtimeError._from_ptr(error)
        return int(raw[0].i32) if self.nresults else None


HostImpl = Callable[..., int]


class HostFunctions:
    """Defines host functions ``impl(caller, *args) -> int`` with raw-value trampolines."""

    def __init__(self) -> None:
        self._keep: list[Any] = []  # ctypes callbacks must outlive the linker

    def define(
        self,
        linker: wasmtime.Linker,
        module: str,
        name: str,
        params: list[wasmtime.ValType],
        impl: HostImpl,
    ) -> None:
        kinds = [p == wasmtime.ValType.i64() for p in params]

        def trampoline(_env: Any, caller_ptr: Any, raw: Any, _n: int) -> int:
            caller = _func.Caller(caller_ptr)
            try:
                args = [raw[i].i64 if wide else raw[i].i32 for i, wide in enumerate(kinds)]
                result = impl(caller, *args)
                raw[0].i64 = 0
                raw[0].i32 = result
                return 0
            except Exception as exc:  # re-raised by the call that entered wasm
                _func.LAST_EXCEPTION = exc
                trap = wasmtime.Trap("python exception")._consume()
                return ctypes.cast(trap, ctypes.c_void_p).value or 0
            finally:
                caller._invalidate()

        callback = ffi.wasmtime_func_unchecked_callback_t(trampoline)
        self._keep.append(callback)
        ty = wasmtime.FuncType(params, [wasmtime.ValType.i32()])
        self._keep.append(ty)
        module_bytes, name_bytes = module.encode(), name.encode()
        error = ffi.wasmtime_linker_define_func_unchecked(
            linker.ptr(),
            ctypes.create_string_buffer(module_bytes),
            len(module_bytes),
            ctypes.create_string_buffer(name_bytes),
            len(name_bytes),
            ty.ptr(),
            callback,
            None,
            _no_finalizer,
        )
        if error:
            raise wasmtime.WasmtimeError._from_ptr(error)
