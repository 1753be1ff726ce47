# GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit.
"""The native runtime's binding: ``HostABI`` over Envoy's dynamic-module callbacks.

:class:`EnvoyHost` forwards each ``env.proxy_*`` call to the method of the same name of
:class:`~proxy_wasm_shim.native.host.EnvoyCalls` (hand-written: how the call reaches Envoy),
which returns the raw status and results as the emulator does, and maps the status exactly
as ``proxy_wasm._hostabi`` says: ``OK`` gives the result, the call's *absent* status gives
``None``, anything else raises ``proxy_wasm.errors.status_error(status, "<import name>")``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from proxy_wasm._hostabi import HostABI, Pairs
from proxy_wasm.errors import status_error

if TYPE_CHECKING:
    from .host import EnvoyCalls

_U32 = 0xFFFFFFFF


class EnvoyHost:
    """``HostABI`` over :class:`~proxy_wasm_shim.native.host.EnvoyCalls` (see module docstring)."""

    __slots__ = ("calls",)

    def __init__(self, calls: EnvoyCalls) -> None:
        self.calls = calls

    def proxy_log(self, level: int, message: bytes) -> None:
        status = self.calls.proxy_log(level, message)
        if status:
            raise status_error(status, "proxy_log")

    def proxy_get_log_level(self) -> int:
        status, level = self.calls.proxy_get_log_level()
        if status:
            raise status_error(status, "proxy_get_log_level")
        return level

    def proxy_get_current_time_nanoseconds(self) -> int:
        status, nanoseconds = self.calls.proxy_get_current_time_nanoseconds()
        if status:
            raise status_error(status, "proxy_get_current_time_nanoseconds")
        return nanoseconds

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> None:
        status = self.calls.proxy_set_tick_period_milliseconds(period_ms & _U32)
        if status:
            raise status_error(status, "proxy_set_tick_period_milliseconds")

    def proxy_set_effective_context(self, context_id: int) -> None:
        status = self.calls.proxy_set_effective_context(context_id & _U32)
        if status:
            raise status_error(status, "proxy_set_effective_context")

    def proxy_done(self) -> None:
        status = self.calls.proxy_done()
        if status:
            raise status_error(status, "proxy_done")

    def proxy_get_buffer_bytes(self, buffer_type: int, start: int, max_size: int) -> bytes | None:
        status, data = self.calls.proxy_get_buffer_bytes(buffer_type, start & _U32, max_size & _U32)
        if status == 1:  # NOT_FOUND
            return None
        if status or data is None:
            raise status_error(status, "proxy_get_buffer_bytes")
        return data

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int]:
        status, size, flags = self.calls.proxy_get_buffer_status(buffer_type)
        if status:
            raise status_error(status, "proxy_get_buffer_status")
        return size, flags

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> None:
        status = self.calls.proxy_set_buffer_bytes(buffer_type, start & _U32, size & _U32, value)
        if status:
            raise status_error(status, "proxy_set_buffer_bytes")

    def proxy_get_header_map_pairs(self, map_type: int) -> list[tuple[bytes, bytes]]:
        status, pairs = self.calls.proxy_get_header_map_pairs(map_type)
        if status or pairs is None:
            raise status_error(status, "proxy_get_header_map_pairs")
        return pairs

    def proxy_get_header_map_size(self, map_type: int) -> int:
        status, size = self.calls.proxy_get_header_map_size(map_type)
        if status:
            raise status_error(status, "proxy_get_header_map_size")
        return size

    def proxy_set_header_map_pairs(self, map_type: int, pairs: Pairs) -> None:
        status = self.calls.proxy_set_header_map_pairs(map_type, pairs)
        if status:
            raise status_error(status, "proxy_set_header_map_pairs")

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> bytes | None:
        status, value = self.calls.proxy_get_header_map_value(map_type, key)
        if status == 1:  # NOT_FOUND
            return None
        if status or value is None:
            raise status_error(status, "proxy_get_header_map_value")
        return value

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        status = self.calls.proxy_add_header_map_value(map_type, key, value)
        if status:
            raise status_error(status, "proxy_add_header_map_value")

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        status = self.calls.proxy_replace_header_map_value(map_type, key, value)
        if status:
            raise status_error(status, "proxy_replace_header_map_value")

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> None:
        status = self.calls.proxy_remove_header_map_value(map_type, key)
        if status:
            raise status_error(status, "proxy_remove_header_map_value")

    def proxy_continue_stream(self, stream_type: int) -> None:
        status = self.calls.proxy_continue_stream(stream_type)
        if status:
            raise status_error(status, "proxy_continue_stream")

    def proxy_close_stream(self, stream_type: int) -> None:
        status = self.calls.proxy_close_stream(stream_type)
        if status:
            raise status_error(status, "proxy_close_stream")

    def proxy_send_local_response(
        self, status_code: int, details: bytes, body: bytes, headers: Pairs, grpc_status: int
    ) -> None:
        status = self.calls.proxy_send_local_response(
            status_code & _U32, details, body, headers, grpc_status & _U32
        )
        if status:
            raise status_error(status, "proxy_send_local_response")

    def proxy_get_status(self) -> tuple[int, bytes]:
        status, code, message = self.calls.proxy_get_status()
        if status or message is None:
            raise status_error(status, "proxy_get_status")
        return code, message

    def proxy_http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, trailers: Pairs, timeout_ms: int
    ) -> int:
        status, token = self.calls.proxy_http_call(
            upstream, headers, body, trailers, timeout_ms & _U32
        )
        if status:
            raise status_error(status, "proxy_http_call")
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
        status, token = self.calls.proxy_grpc_call(
            upstream, service, method, initial_metadata, message, timeout_ms & _U32
        )
        if status:
            raise status_error(status, "proxy_grpc_call")
        return token

    def proxy_grpc_stream(
        self, upstream: bytes, service: bytes, method: bytes, initial_metadata: Pairs
    ) -> int:
        status, token = self.calls.proxy_grpc_stream(upstream, service, method, initial_metadata)
        if status:
            raise status_error(status, "proxy_grpc_stream")
        return token

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> None:
        status = self.calls.proxy_grpc_send(token & _U32, message, end_stream)
        if status:
            raise status_error(status, "proxy_grpc_send")

    def proxy_grpc_cancel(self, token: int) -> None:
        status = self.calls.proxy_grpc_cancel(token & _U32)
        if status:
            raise status_error(status, "proxy_grpc_cancel")

    def proxy_grpc_close(self, token: int) -> None:
        status = self.calls.proxy_grpc_close(token & _U32)
        if status:
            raise status_error(status, "proxy_grpc_close")

    def proxy_get_shared_data(self, key: bytes) -> tuple[bytes, int] | None:
        status, result = self.calls.proxy_get_shared_data(key)
        if status == 1:  # NOT_FOUND
            return None
        if status or result is None:
            raise status_error(status, "proxy_get_shared_data")
        return result

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> None:
        status = self.calls.proxy_set_shared_data(key, value, cas & _U32)
        if status:
            raise status_error(status, "proxy_set_shared_data")

    def proxy_register_shared_queue(self, name: bytes) -> int:
        status, queue_id = self.calls.proxy_register_shared_queue(name)
        if status:
            raise status_error(status, "proxy_register_shared_queue")
        return queue_id

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> int | None:
        status, queue_id = self.calls.proxy_resolve_shared_queue(vm_id, name)
        if status == 1:  # NOT_FOUND
            return None
        if status or queue_id is None:
            raise status_error(status, "proxy_resolve_shared_queue")
        return queue_id

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> None:
        status = self.calls.proxy_enqueue_shared_queue(queue_id & _U32, value)
        if status:
            raise status_error(status, "proxy_enqueue_shared_queue")

    def proxy_dequeue_shared_queue(self, queue_id: int) -> bytes | None:
        status, value = self.calls.proxy_dequeue_shared_queue(queue_id & _U32)
        if status == 7:  # EMPTY
            return None
        if status or value is None:
            raise status_error(status, "proxy_dequeue_shared_queue")
        return value

    def proxy_define_metric(self, metric_type: int, name: bytes) -> int:
        status, metric_id = self.calls.proxy_define_metric(metric_type, name)
        if status:
            raise status_error(status, "proxy_define_metric")
        return metric_id

    def proxy_record_metric(self, metric_id: int, value: int) -> None:
        status = self.calls.proxy_record_metric(metric_id & _U32, value)
        if status:
            raise status_error(status, "proxy_record_metric")

    def proxy_increment_metric(self, metric_id: int, delta: int) -> None:
        status = self.calls.proxy_increment_metric(metric_id & _U32, delta)
        if status:
            raise status_error(status, "proxy_increment_metric")

    def proxy_get_metric(self, metric_id: int) -> int:
        status, value = self.calls.proxy_get_metric(metric_id & _U32)
        if status:
            raise status_error(status, "proxy_get_metric")
        return value

    def proxy_get_property(self, path: bytes) -> bytes | None:
        status, value = self.calls.proxy_get_property(path)
        if status == 1:  # NOT_FOUND
            return None
        if status or value is None:
            raise status_error(status, "proxy_get_property")
        return value

    def proxy_set_property(self, path: bytes, value: bytes) -> None:
        status = self.calls.proxy_set_property(path, value)
        if status:
            raise status_error(status, "proxy_set_property")

    def proxy_call_foreign_function(self, name: bytes, arguments: bytes) -> bytes:
        status, result = self.calls.proxy_call_foreign_function(name, arguments)
        if status or result is None:
            raise status_error(status, "proxy_call_foreign_function")
        return result

    def set_callback_mask(self, mask: int) -> None:
        self.calls.set_callback_mask(mask)


def _conforms(host: EnvoyHost) -> HostABI:
    """mypy checks here that :class:`EnvoyHost` implements every ``HostABI`` method."""
    return host
