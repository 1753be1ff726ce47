"""The null-runtime binding: ``HostABI`` served by the emulated host of ``proxy_wasm.testing``.

A filter imported into the test's own CPython talks to :class:`NullHost`, which forwards each
``env.proxy_*`` call to the same :class:`~proxy_wasm.testing.emulator.Emulator` method the wasm
runtime's adapters call, and maps the raw status exactly as ``proxy_wasm._hostabi`` says (and as
the C shim does inside a module): ``OK`` gives the result, the call's *absent* status gives
``None``, anything else raises ``proxy_wasm.errors.status_error(status, "<import name>")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from proxy_wasm._hostabi import HostABI, Pairs
from proxy_wasm.errors import ProxyWasmError, status_error

if TYPE_CHECKING:
    from proxy_wasm.testing.emulator import Emulator

_OK = 0
_NOT_FOUND = 1
_EMPTY = 7


def _fail(status: int, call: str) -> ProxyWasmError:
    return status_error(status, call)


class NullHost:
    """``HostABI`` over an :class:`~proxy_wasm.testing.emulator.Emulator` (see module docstring)."""

    __slots__ = ("emulator",)

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator

    # -- logging, clock, timers, context ----------------------------------------------------------
    def proxy_log(self, level: int, message: bytes) -> None:
        status = self.emulator.proxy_log(level, message)
        if status:
            raise _fail(status, "proxy_log")

    def proxy_get_log_level(self) -> int:
        status, level = self.emulator.proxy_get_log_level()
        if status:
            raise _fail(status, "proxy_get_log_level")
        return level

    def proxy_get_current_time_nanoseconds(self) -> int:
        status, now = self.emulator.proxy_get_current_time_nanoseconds()
        if status:
            raise _fail(status, "proxy_get_current_time_nanoseconds")
        return now

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> None:
        status = self.emulator.proxy_set_tick_period_milliseconds(period_ms)
        if status:
            raise _fail(status, "proxy_set_tick_period_milliseconds")

    def proxy_set_effective_context(self, context_id: int) -> None:
        status = self.emulator.proxy_set_effective_context(context_id)
        if status:
            raise _fail(status, "proxy_set_effective_context")

    def proxy_done(self) -> None:
        status = self.emulator.proxy_done()
        if status:
            raise _fail(status, "proxy_done")

    # -- buffers ----------------------------------------------------------------------------------
    def proxy_get_buffer_bytes(self, buffer_type: int, start: int, max_size: int) -> bytes | None:
        status, data = self.emulator.proxy_get_buffer_bytes(buffer_type, start, max_size)
        if status == _NOT_FOUND:
            return None
        if status or data is None:
            raise _fail(status, "proxy_get_buffer_bytes")
        return data

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int]:
        status, size, flags = self.emulator.proxy_get_buffer_status(buffer_type)
        if status:
            raise _fail(status, "proxy_get_buffer_status")
        return size, flags

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> None:
        status = self.emulator.proxy_set_buffer_bytes(buffer_type, start, size, value)
        if status:
            raise _fail(status, "proxy_set_buffer_bytes")

    # -- header maps ------------------------------------------------------------------------------
    def proxy_get_header_map_pairs(self, map_type: int) -> list[tuple[bytes, bytes]]:
        status, pairs = self.emulator.proxy_get_header_map_pairs(map_type)
        if status or pairs is None:
            raise _fail(status, "proxy_get_header_map_pairs")
        return pairs

    def proxy_get_header_map_size(self, map_type: int) -> int:
        status, size = self.emulator.proxy_get_header_map_size(map_type)
        if status:
            raise _fail(status, "proxy_get_header_map_size")
        return size

    def proxy_set_header_map_pairs(self, map_type: int, pairs: Pairs) -> None:
        status = self.emulator.proxy_set_header_map_pairs(map_type, pairs)
        if status:
            raise _fail(status, "proxy_set_header_map_pairs")

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> bytes | None:
        status, value = self.emulator.proxy_get_header_map_value(map_type, key)
        if status == _NOT_FOUND:
            return None
        if status or value is None:
            raise _fail(status, "proxy_get_header_map_value")
        return value

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        status = self.emulator.proxy_add_header_map_value(map_type, key, value)
        if status:
            raise _fail(status, "proxy_add_header_map_value")

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        status = self.emulator.proxy_replace_header_map_value(map_type, key, value)
        if status:
            raise _fail(status, "proxy_replace_header_map_value")

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> None:
        status = self.emulator.proxy_remove_header_map_value(map_type, key)
        if status:
            raise _fail(status, "proxy_remove_header_map_value")

    # -- stream control ---------------------------------------------------------------------------
    def proxy_continue_stream(self, stream_type: int) -> None:
        status = self.emulator.proxy_continue_stream(stream_type)
        if status:
            raise _fail(status, "proxy_continue_stream")

    def proxy_close_stream(self, stream_type: int) -> None:
        status = self.emulator.proxy_close_stream(stream_type)
        if status:
            raise _fail(status, "proxy_close_stream")

    def proxy_send_local_response(
        self, status_code: int, details: bytes, body: bytes, headers: Pairs, grpc_status: int
    ) -> None:
        status = self.emulator.proxy_send_local_response(
            status_code, details, body, headers, grpc_status & 0xFFFFFFFF
        )
        if status:
            raise _fail(status, "proxy_send_local_response")

    def proxy_get_status(self) -> tuple[int, bytes]:
        status, code, message = self.emulator.proxy_get_status()
        if status:
            raise _fail(status, "proxy_get_status")
        return code, message

    # -- HTTP and gRPC callouts -------------------------------------------------------------------
    def proxy_http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, trailers: Pairs, timeout_ms: int
    ) -> int:
        status, token = self.emulator.proxy_http_call(upstream, headers, body, trailers, timeout_ms)
        if status:
            raise _fail(status, "proxy_http_call")
        return token

    def proxy_grpc_call(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Pairs,
        message: bytes,
        timeout_ms: int,
    ) -> int:
        status, token = self.emulator.proxy_grpc_call(
            upstream, service, method, initial_metadata, message, timeout_ms
        )
        if status:
            raise _fail(status, "proxy_grpc_call")
        return token

    def proxy_grpc_stream(
        self, upstream: bytes, service: bytes, method: bytes, initial_metadata: Pairs
    ) -> int:
        status, token = self.emulator.proxy_grpc_stream(upstream, service, method, initial_metadata)
        if status:
            raise _fail(status, "proxy_grpc_stream")
        return token

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> None:
        status = self.emulator.proxy_grpc_send(token, message, end_stream)
        if status:
            raise _fail(status, "proxy_grpc_send")

    def proxy_grpc_cancel(self, token: int) -> None:
        status = self.emulator.proxy_grpc_cancel(token)
        if status:
            raise _fail(status, "proxy_grpc_cancel")

    def proxy_grpc_close(self, token: int) -> None:
        status = self.emulator.proxy_grpc_close(token)
        if status:
            raise _fail(status, "proxy_grpc_close")

    # -- shared data and queues -------------------------------------------------------------------
    def proxy_get_shared_data(self, key: bytes) -> tuple[bytes, int] | None:
        status, entry = self.emulator.proxy_get_shared_data(key)
        if status == _NOT_FOUND:
            return None
        if status or entry is None:
            raise _fail(status, "proxy_get_shared_data")
        return entry

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> None:
        status = self.emulator.proxy_set_shared_data(key, value, cas)
        if status:
            raise _fail(status, "proxy_set_shared_data")

    def proxy_register_shared_queue(self, name: bytes) -> int:
        status, qid = self.emulator.proxy_register_shared_queue(name)
        if status:
            raise _fail(status, "proxy_register_shared_queue")
        return qid

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> int | None:
        status, qid = self.emulator.proxy_resolve_shared_queue(vm_id, name)
        if status == _NOT_FOUND:
            return None
        if status or qid is None:
            raise _fail(status, "proxy_resolve_shared_queue")
        return qid

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> None:
        status = self.emulator.proxy_enqueue_shared_queue(queue_id, value)
        if status:
            raise _fail(status, "proxy_enqueue_shared_queue")

    def proxy_dequeue_shared_queue(self, queue_id: int) -> bytes | None:
        status, value = self.emulator.proxy_dequeue_shared_queue(queue_id)
        if status == _EMPTY:
            return None
        if status or value is None:
            raise _fail(status, "proxy_dequeue_shared_queue")
        return value

    # -- metrics ----------------------------------------------------------------------------------
    def proxy_define_metric(self, metric_type: int, name: bytes) -> int:
        status, mid = self.emulator.proxy_define_metric(metric_type, name)
        if status:
            raise _fail(status, "proxy_define_metric")
        return mid

    def proxy_record_metric(self, metric_id: int, value: int) -> None:
        status = self.emulator.proxy_record_metric(metric_id, value)
        if status:
            raise _fail(status, "proxy_record_metric")

    def proxy_increment_metric(self, metric_id: int, delta: int) -> None:
        status = self.emulator.proxy_increment_metric(metric_id, delta)
        if status:
            raise _fail(status, "proxy_increment_metric")

    def proxy_get_metric(self, metric_id: int) -> int:
        status, value = self.emulator.proxy_get_metric(metric_id)
        if status:
            raise _fail(status, "proxy_get_metric")
        return value

    # -- properties and foreign functions ---------------------------------------------------------
    def proxy_get_property(self, path: bytes) -> bytes | None:
        status, value = self.emulator.proxy_get_property(path)
        if status == _NOT_FOUND:
            return None
        if status or value is None:
            raise _fail(status, "proxy_get_property")
        return value

    def proxy_set_property(self, path: bytes, value: bytes) -> None:
        status = self.emulator.proxy_set_property(path, value)
        if status:
            raise _fail(status, "proxy_set_property")

    def proxy_call_foreign_function(self, name: bytes, arguments: bytes) -> bytes:
        status, result = self.emulator.proxy_call_foreign_function(name, arguments)
        if status or result is None:
            raise _fail(status, "proxy_call_foreign_function")
        return result

    # -- not an ABI import -------------------------------------------------------------------------
    def set_callback_mask(self, mask: int) -> None:
        self.emulator.set_callback_mask(mask)


def _conforms(host: NullHost) -> HostABI:
    """mypy checks here that :class:`NullHost` implements every ``HostABI`` method."""
    return host
