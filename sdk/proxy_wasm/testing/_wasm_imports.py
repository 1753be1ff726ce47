# GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit.
"""The wasm runtime's ``env.proxy_*`` imports: one adapter per import.

Each reads its arguments from the module's linear memory, calls the emulator method of
the same name, and on ``OK`` writes the results to the out-pointers (a block the
module allocates for bytes and header maps). ``ADAPTERS`` maps an import name to its
wasm parameter types and adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from proxy_wasm.testing._pairs import serialize_pairs

if TYPE_CHECKING:
    from proxy_wasm.testing.wasm_runtime import WasmGuest

_U32 = 0xFFFFFFFF
_U64 = 0xFFFFFFFFFFFFFFFF
_OK = 0
_BAD_ARGUMENT = 2


def proxy_log(g: WasmGuest, c: Any, level: int, message_ptr: int, message_size: int) -> int:
    return g.emulator.proxy_log(level, g.read(c, message_ptr, message_size))


def proxy_get_log_level(g: WasmGuest, c: Any, level_out: int) -> int:
    status, level = g.emulator.proxy_get_log_level()
    if status == _OK and level is not None:
        g.write_u32(c, level_out, level)
    return status


def proxy_get_current_time_nanoseconds(g: WasmGuest, c: Any, nanoseconds_out: int) -> int:
    status, nanoseconds = g.emulator.proxy_get_current_time_nanoseconds()
    if status == _OK and nanoseconds is not None:
        g.write_u64(c, nanoseconds_out, nanoseconds)
    return status


def proxy_set_tick_period_milliseconds(g: WasmGuest, c: Any, period_ms: int) -> int:
    return g.emulator.proxy_set_tick_period_milliseconds(period_ms & _U32)


def proxy_set_effective_context(g: WasmGuest, c: Any, context_id: int) -> int:
    return g.emulator.proxy_set_effective_context(context_id & _U32)


def proxy_done(g: WasmGuest, c: Any) -> int:
    return g.emulator.proxy_done()


def proxy_get_buffer_bytes(
    g: WasmGuest,
    c: Any,
    buffer_type: int,
    start: int,
    max_size: int,
    data_ptr_out: int,
    data_size_out: int,
) -> int:
    status, data = g.emulator.proxy_get_buffer_bytes(buffer_type, start & _U32, max_size & _U32)
    if status == _OK and data is not None:
        g.write_out(c, data, data_ptr_out, data_size_out)
    return status


def proxy_get_buffer_status(
    g: WasmGuest, c: Any, buffer_type: int, size_out: int, flags_out: int
) -> int:
    status, size, flags = g.emulator.proxy_get_buffer_status(buffer_type)
    if status == _OK and size is not None and flags is not None:
        g.write_u32(c, size_out, size)
        g.write_u32(c, flags_out, flags)
    return status


def proxy_set_buffer_bytes(
    g: WasmGuest, c: Any, buffer_type: int, start: int, size: int, value_ptr: int, value_size: int
) -> int:
    return g.emulator.proxy_set_buffer_bytes(
        buffer_type, start & _U32, size & _U32, g.read(c, value_ptr, value_size)
    )


def proxy_get_header_map_pairs(
    g: WasmGuest, c: Any, map_type: int, pairs_ptr_out: int, pairs_size_out: int
) -> int:
    status, pairs = g.emulator.proxy_get_header_map_pairs(map_type)
    if status == _OK and pairs is not None:
        g.write_out(c, serialize_pairs(pairs), pairs_ptr_out, pairs_size_out)
    return status


def proxy_get_header_map_size(g: WasmGuest, c: Any, map_type: int, size_out: int) -> int:
    status, size = g.emulator.proxy_get_header_map_size(map_type)
    if status == _OK and size is not None:
        g.write_u32(c, size_out, size)
    return status


def proxy_set_header_map_pairs(
    g: WasmGuest, c: Any, map_type: int, pairs_ptr: int, pairs_size: int
) -> int:
    pairs = g.pairs(c, pairs_ptr, pairs_size)
    if pairs is None:
        return _BAD_ARGUMENT
    return g.emulator.proxy_set_header_map_pairs(map_type, pairs)


def proxy_get_header_map_value(
    g: WasmGuest,
    c: Any,
    map_type: int,
    key_ptr: int,
    key_size: int,
    value_ptr_out: int,
    value_size_out: int,
) -> int:
    status, value = g.emulator.proxy_get_header_map_value(map_type, g.read(c, key_ptr, key_size))
    if status == _OK and value is not None:
        g.write_out(c, value, value_ptr_out, value_size_out)
    return status


def proxy_add_header_map_value(
    g: WasmGuest,
    c: Any,
    map_type: int,
    key_ptr: int,
    key_size: int,
    value_ptr: int,
    value_size: int,
) -> int:
    return g.emulator.proxy_add_header_map_value(
        map_type, g.read(c, key_ptr, key_size), g.read(c, value_ptr, value_size)
    )


def proxy_replace_header_map_value(
    g: WasmGuest,
    c: Any,
    map_type: int,
    key_ptr: int,
    key_size: int,
    value_ptr: int,
    value_size: int,
) -> int:
    return g.emulator.proxy_replace_header_map_value(
        map_type, g.read(c, key_ptr, key_size), g.read(c, value_ptr, value_size)
    )


def proxy_remove_header_map_value(
    g: WasmGuest, c: Any, map_type: int, key_ptr: int, key_size: int
) -> int:
    return g.emulator.proxy_remove_header_map_value(map_type, g.read(c, key_ptr, key_size))


def proxy_continue_stream(g: WasmGuest, c: Any, stream_type: int) -> int:
    return g.emulator.proxy_continue_stream(stream_type)


def proxy_close_stream(g: WasmGuest, c: Any, stream_type: int) -> int:
    return g.emulator.proxy_close_stream(stream_type)


def proxy_send_local_response(
    g: WasmGuest,
    c: Any,
    status_code: int,
    details_ptr: int,
    details_size: int,
    body_ptr: int,
    body_size: int,
    headers_ptr: int,
    headers_size: int,
    grpc_status: int,
) -> int:
    headers = g.pairs(c, headers_ptr, headers_size)
    if headers is None:
        return _BAD_ARGUMENT
    return g.emulator.proxy_send_local_response(
        status_code & _U32,
        g.read(c, details_ptr, details_size),
        g.read(c, body_ptr, body_size),
        headers,
        grpc_status & _U32,
    )


def proxy_get_status(
    g: WasmGuest, c: Any, code_out: int, message_ptr_out: int, message_size_out: int
) -> int:
    status, code, message = g.emulator.proxy_get_status()
    if status == _OK and code is not None and message is not None:
        g.write_u32(c, code_out, code)
        g.write_out(c, message, message_ptr_out, message_size_out)
    return status


def proxy_http_call(
    g: WasmGuest,
    c: Any,
    upstream_ptr: int,
    upstream_size: int,
    headers_ptr: int,
    headers_size: int,
    body_ptr: int,
    body_size: int,
    trailers_ptr: int,
    trailers_size: int,
    timeout_ms: int,
    token_out: int,
) -> int:
    headers = g.pairs(c, headers_ptr, headers_size)
    if headers is None:
        return _BAD_ARGUMENT
    trailers = g.pairs(c, trailers_ptr, trailers_size)
    if trailers is None:
        return _BAD_ARGUMENT
    status, token = g.emulator.proxy_http_call(
        g.read(c, upstream_ptr, upstream_size),
        headers,
        g.read(c, body_ptr, body_size),
        trailers,
        timeout_ms & _U32,
    )
    if status == _OK and token is not None:
        g.write_u32(c, token_out, token)
    return status


def proxy_grpc_call(
    g: WasmGuest,
    c: Any,
    upstream_ptr: int,
    upstream_size: int,
    service_ptr: int,
    service_size: int,
    method_ptr: int,
    method_size: int,
    initial_metadata_ptr: int,
    initial_metadata_size: int,
    message_ptr: int,
    message_size: int,
    timeout_ms: int,
    token_out: int,
) -> int:
    initial_metadata = g.pairs(c, initial_metadata_ptr, initial_metadata_size)
    if initial_metadata is None:
        return _BAD_ARGUMENT
    status, token = g.emulator.proxy_grpc_call(
        g.read(c, upstream_ptr, upstream_size),
        g.read(c, service_ptr, service_size),
        g.read(c, method_ptr, method_size),
        initial_metadata,
        g.read(c, message_ptr, message_size),
        timeout_ms & _U32,
    )
    if status == _OK and token is not None:
        g.write_u32(c, token_out, token)
    return status


def proxy_grpc_stream(
    g: WasmGuest,
    c: Any,
    upstream_ptr: int,
    upstream_size: int,
    service_ptr: int,
    service_size: int,
    method_ptr: int,
    method_size: int,
    initial_metadata_ptr: int,
    initial_metadata_size: int,
    token_out: int,
) -> int:
    initial_metadata = g.pairs(c, initial_metadata_ptr, initial_metadata_size)
    if initial_metadata is None:
        return _BAD_ARGUMENT
    status, token = g.emulator.proxy_grpc_stream(
        g.read(c, upstream_ptr, upstream_size),
        g.read(c, service_ptr, service_size),
        g.read(c, method_ptr, method_size),
        initial_metadata,
    )
    if status == _OK and token is not None:
        g.write_u32(c, token_out, token)
    return status


def proxy_grpc_send(
    g: WasmGuest, c: Any, token: int, message_ptr: int, message_size: int, end_stream: int
) -> int:
    return g.emulator.proxy_grpc_send(
        token & _U32, g.read(c, message_ptr, message_size), bool(end_stream)
    )


def proxy_grpc_cancel(g: WasmGuest, c: Any, token: int) -> int:
    return g.emulator.proxy_grpc_cancel(token & _U32)


def proxy_grpc_close(g: WasmGuest, c: Any, token: int) -> int:
    return g.emulator.proxy_grpc_close(token & _U32)


def proxy_get_shared_data(
    g: WasmGuest,
    c: Any,
    key_ptr: int,
    key_size: int,
    value_ptr_out: int,
    value_size_out: int,
    cas_out: int,
) -> int:
    status, result = g.emulator.proxy_get_shared_data(g.read(c, key_ptr, key_size))
    if status == _OK and result is not None:
        g.write_out(c, result[0], value_ptr_out, value_size_out)
        g.write_u32(c, cas_out, result[1])
    return status


def proxy_set_shared_data(
    g: WasmGuest, c: Any, key_ptr: int, key_size: int, value_ptr: int, value_size: int, cas: int
) -> int:
    return g.emulator.proxy_set_shared_data(
        g.read(c, key_ptr, key_size), g.read(c, value_ptr, value_size), cas & _U32
    )


def proxy_register_shared_queue(
    g: WasmGuest, c: Any, name_ptr: int, name_size: int, queue_id_out: int
) -> int:
    status, queue_id = g.emulator.proxy_register_shared_queue(g.read(c, name_ptr, name_size))
    if status == _OK and queue_id is not None:
        g.write_u32(c, queue_id_out, queue_id)
    return status


def proxy_resolve_shared_queue(
    g: WasmGuest,
    c: Any,
    vm_id_ptr: int,
    vm_id_size: int,
    name_ptr: int,
    name_size: int,
    queue_id_out: int,
) -> int:
    status, queue_id = g.emulator.proxy_resolve_shared_queue(
        g.read(c, vm_id_ptr, vm_id_size), g.read(c, name_ptr, name_size)
    )
    if status == _OK and queue_id is not None:
        g.write_u32(c, queue_id_out, queue_id)
    return status


def proxy_enqueue_shared_queue(
    g: WasmGuest, c: Any, queue_id: int, value_ptr: int, value_size: int
) -> int:
    return g.emulator.proxy_enqueue_shared_queue(queue_id & _U32, g.read(c, value_ptr, value_size))


def proxy_dequeue_shared_queue(
    g: WasmGuest, c: Any, queue_id: int, value_ptr_out: int, value_size_out: int
) -> int:
    status, value = g.emulator.proxy_dequeue_shared_queue(queue_id & _U32)
    if status == _OK and value is not None:
        g.write_out(c, value, value_ptr_out, value_size_out)
    return status


def proxy_define_metric(
    g: WasmGuest, c: Any, metric_type: int, name_ptr: int, name_size: int, metric_id_out: int
) -> int:
    status, metric_id = g.emulator.proxy_define_metric(metric_type, g.read(c, name_ptr, name_size))
    if status == _OK and metric_id is not None:
        g.write_u32(c, metric_id_out, metric_id)
    return status


def proxy_record_metric(g: WasmGuest, c: Any, metric_id: int, value: int) -> int:
    return g.emulator.proxy_record_metric(metric_id & _U32, value & _U64)


def proxy_increment_metric(g: WasmGuest, c: Any, metric_id: int, delta: int) -> int:
    return g.emulator.proxy_increment_metric(metric_id & _U32, delta)


def proxy_get_metric(g: WasmGuest, c: Any, metric_id: int, value_out: int) -> int:
    status, value = g.emulator.proxy_get_metric(metric_id & _U32)
    if status == _OK and value is not None:
        g.write_u64(c, value_out, value)
    return status


def proxy_get_property(
    g: WasmGuest, c: Any, path_ptr: int, path_size: int, value_ptr_out: int, value_size_out: int
) -> int:
    status, value = g.emulator.proxy_get_property(g.read(c, path_ptr, path_size))
    if status == _OK and value is not None:
        g.write_out(c, value, value_ptr_out, value_size_out)
    return status


def proxy_set_property(
    g: WasmGuest, c: Any, path_ptr: int, path_size: int, value_ptr: int, value_size: int
) -> int:
    return g.emulator.proxy_set_property(
        g.read(c, path_ptr, path_size), g.read(c, value_ptr, value_size)
    )


def proxy_call_foreign_function(
    g: WasmGuest,
    c: Any,
    name_ptr: int,
    name_size: int,
    arguments_ptr: int,
    arguments_size: int,
    result_ptr_out: int,
    result_size_out: int,
) -> int:
    status, result = g.emulator.proxy_call_foreign_function(
        g.read(c, name_ptr, name_size), g.read(c, arguments_ptr, arguments_size)
    )
    if status == _OK and result is not None:
        g.write_out(c, result, result_ptr_out, result_size_out)
    return status


ADAPTERS: dict[str, tuple[tuple[str, ...], Callable[..., int]]] = {
    "proxy_log": (("i32", "i32", "i32"), proxy_log),
    "proxy_get_log_level": (("i32",), proxy_get_log_level),
    "proxy_get_current_time_nanoseconds": (("i32",), proxy_get_current_time_nanoseconds),
    "proxy_set_tick_period_milliseconds": (("i32",), proxy_set_tick_period_milliseconds),
    "proxy_set_effective_context": (("i32",), proxy_set_effective_context),
    "proxy_done": ((), proxy_done),
    "proxy_get_buffer_bytes": (("i32", "i32", "i32", "i32", "i32"), proxy_get_buffer_bytes),
    "proxy_get_buffer_status": (("i32", "i32", "i32"), proxy_get_buffer_status),
    "proxy_set_buffer_bytes": (("i32", "i32", "i32", "i32", "i32"), proxy_set_buffer_bytes),
    "proxy_get_header_map_pairs": (("i32", "i32", "i32"), proxy_get_header_map_pairs),
    "proxy_get_header_map_size": (("i32", "i32"), proxy_get_header_map_size),
    "proxy_set_header_map_pairs": (("i32", "i32", "i32"), proxy_set_header_map_pairs),
    "proxy_get_header_map_value": (("i32", "i32", "i32", "i32", "i32"), proxy_get_header_map_value),
    "proxy_add_header_map_value": (("i32", "i32", "i32", "i32", "i32"), proxy_add_header_map_value),
    "proxy_replace_header_map_value": (
        ("i32", "i32", "i32", "i32", "i32"),
        proxy_replace_header_map_value,
    ),
    "proxy_remove_header_map_value": (("i32", "i32", "i32"), proxy_remove_header_map_value),
    "proxy_continue_stream": (("i32",), proxy_continue_stream),
    "proxy_close_stream": (("i32",), proxy_close_stream),
    "proxy_send_local_response": (
        ("i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"),
        proxy_send_local_response,
    ),
    "proxy_get_status": (("i32", "i32", "i32"), proxy_get_status),
    "proxy_http_call": (
        ("i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"),
        proxy_http_call,
    ),
    "proxy_grpc_call": (
        ("i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"),
        proxy_grpc_call,
    ),
    "proxy_grpc_stream": (
        ("i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32", "i32"),
        proxy_grpc_stream,
    ),
    "proxy_grpc_send": (("i32", "i32", "i32", "i32"), proxy_grpc_send),
    "proxy_grpc_cancel": (("i32",), proxy_grpc_cancel),
    "proxy_grpc_close": (("i32",), proxy_grpc_close),
    "proxy_get_shared_data": (("i32", "i32", "i32", "i32", "i32"), proxy_get_shared_data),
    "proxy_set_shared_data": (("i32", "i32", "i32", "i32", "i32"), proxy_set_shared_data),
    "proxy_register_shared_queue": (("i32", "i32", "i32"), proxy_register_shared_queue),
    "proxy_resolve_shared_queue": (("i32", "i32", "i32", "i32", "i32"), proxy_resolve_shared_queue),
    "proxy_enqueue_shared_queue": (("i32", "i32", "i32"), proxy_enqueue_shared_queue),
    "proxy_dequeue_shared_queue": (("i32", "i32", "i32"), proxy_dequeue_shared_queue),
    "proxy_define_metric": (("i32", "i32", "i32", "i32"), proxy_define_metric),
    "proxy_record_metric": (("i32", "i64"), proxy_record_metric),
    "proxy_increment_metric": (("i32", "i64"), proxy_increment_metric),
    "proxy_get_metric": (("i32", "i32"), proxy_get_metric),
    "proxy_get_property": (("i32", "i32", "i32", "i32"), proxy_get_property),
    "proxy_set_property": (("i32", "i32", "i32", "i32"), proxy_set_property),
    "proxy_call_foreign_function": (
        ("i32", "i32", "i32", "i32", "i32", "i32"),
        proxy_call_foreign_function,
    ),
}
