"""How each ``env.proxy_*`` import reaches Envoy in the native runtime (the hand-written part).

:class:`EnvoyCalls` has one method per import of the ABI table, with the table's parameters,
returning the raw status (and results) as the emulator does: it calls the built-in
``_proxy_wasm_envoy`` (one thin C function per Envoy callback, on the current stream) or the
process-wide state of :mod:`proxy_wasm_shim.native.runtime`. The status mapping (``OK`` -> value,
absent -> ``None``, anything else -> ``status_error``) is the generated
:class:`~proxy_wasm_shim.native.binding.EnvoyHost`. What Envoy's dynamic-module ABI cannot do
returns ``UNIMPLEMENTED``.
"""

from __future__ import annotations

import struct
import time
import zlib
from typing import TYPE_CHECKING

import _proxy_wasm_envoy as envoy

from proxy_wasm._hostabi import Pairs
from proxy_wasm.types import Status

from .protobuf import filter_state_arguments

if TYPE_CHECKING:
    from .runtime import Runtime

# Proxy-Wasm buffer types
_REQUEST_BODY, _RESPONSE_BODY, _CALL_RESPONSE_BODY = 0, 1, 4
_VM_CONFIGURATION, _PLUGIN_CONFIGURATION = 6, 7
# Proxy-Wasm header map types 0..3 are Envoy's header types; 6 is the HTTP call response.
_CALL_RESPONSE_HEADERS, _CALL_RESPONSE_TRAILERS = 6, 7
# Envoy body types: (received, buffered) per direction
_BODY_TYPES = {_REQUEST_BODY: (0, 1), _RESPONSE_BODY: (2, 3)}
_DOWNSTREAM_DATA, _UPSTREAM_DATA = 2, 3
_NETWORK_TYPES = (_DOWNSTREAM_DATA, _UPSTREAM_DATA)

# Properties Envoy's attribute API serves: path -> (attribute id, is an integer)
_ATTRIBUTES: dict[bytes, tuple[int, bool]] = {
    b"request\0path": (0, False),
    b"request\0url_path": (1, False),
    b"request\0host": (2, False),
    b"request\0scheme": (3, False),
    b"request\0method": (4, False),
    b"request\0referer": (6, False),
    b"request\0useragent": (7, False),
    b"request\0id": (9, False),
    b"request\0protocol": (10, False),
    b"request\0query": (11, False),
    b"response\0code": (15, True),
    b"response\0code_details": (16, False),
    b"source\0address": (24, False),
    b"source\0port": (25, True),
    b"destination\0address": (26, False),
    b"destination\0port": (27, True),
    b"connection\0id": (28, True),
    b"connection\0requested_server_name": (30, False),
    b"upstream\0address": (41, False),
    b"upstream\0port": (42, True),
    b"xds\0cluster_name": (57, False),
    b"xds\0route_name": (61, False),
}
_METADATA = b"metadata\0filter_metadata\0"

_COUNTER, _GAUGE, _HISTOGRAM = 0, 1, 2


OK, NOT_FOUND, BAD_ARGUMENT = Status.OK, Status.NOT_FOUND, Status.BAD_ARGUMENT
UNIMPLEMENTED = Status.UNIMPLEMENTED
_HeaderList = list[tuple[bytes, bytes]]


class EnvoyCalls:
    """The imports on Envoy's dynamic-module callbacks, raw statuses (see module docstring)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # -- logging, clock, timers, context ----------------------------------------------------------
    def proxy_log(self, level: int, message: bytes) -> int:
        if not 0 <= level <= 5:
            return BAD_ARGUMENT
        envoy.log(level, self.runtime.log_prefix() + message)
        return OK

    def proxy_get_log_level(self) -> tuple[int, int]:
        for level in range(6):
            if envoy.log_enabled(level):
                return OK, level
        return OK, 5

    def proxy_get_current_time_nanoseconds(self) -> tuple[int, int]:
        return OK, time.time_ns()

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> int:
        self.runtime.set_tick_period(period_ms)
        return OK

    def proxy_set_effective_context(self, context_id: int) -> int:
        return OK if self.runtime.set_effective_context(context_id) else BAD_ARGUMENT

    def proxy_done(self) -> int:
        return NOT_FOUND

    # -- buffers ----------------------------------------------------------------------------------
    def _buffer(self, buffer_type: int) -> tuple[int, bytes | None]:
        if buffer_type in _BODY_TYPES:
            if not self.runtime.in_body(buffer_type):
                return NOT_FOUND, None
            received, buffered = _BODY_TYPES[buffer_type]
            return OK, (envoy.get_body(buffered) or b"") + (envoy.get_body(received) or b"")
        if buffer_type in _NETWORK_TYPES:
            if not self.runtime.in_body(buffer_type):
                return NOT_FOUND, None
            return OK, envoy.net_get_data(buffer_type == _UPSTREAM_DATA) or b""
        if buffer_type == _CALL_RESPONSE_BODY:
            response = self.runtime.call_response()
            return (NOT_FOUND, None) if response is None else (OK, response[1])
        if buffer_type in (_VM_CONFIGURATION, _PLUGIN_CONFIGURATION):
            data = self.runtime.configuration(buffer_type == _VM_CONFIGURATION)
            return (NOT_FOUND, None) if data is None else (OK, data)
        if 0 <= buffer_type <= 8:
            return NOT_FOUND, None
        return BAD_ARGUMENT, None

    def proxy_get_buffer_bytes(
        self, buffer_type: int, start: int, max_size: int
    ) -> tuple[int, bytes | None]:
        status, data = self._buffer(buffer_type)
        if data is None:
            return status, None
        if start < 0 or max_size < 0 or start > len(data):
            return BAD_ARGUMENT, None
        return OK, data[start : start + max_size]

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int, int]:
        status, data = self._buffer(buffer_type)
        if data is None:
            return status, 0, 0
        return OK, len(data), 0

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> int:
        if buffer_type in _NETWORK_TYPES and self.runtime.in_body(buffer_type):
            upstream = buffer_type == _UPSTREAM_DATA
            data = envoy.net_get_data(upstream) or b""
            if start < 0 or size < 0 or start > len(data):
                return BAD_ARGUMENT
            envoy.net_drain(upstream, len(data))
            new = data[:start] + value + data[start + size :]
            if new:
                envoy.net_append(upstream, new)
            return OK
        if buffer_type not in _BODY_TYPES or not self.runtime.in_body(buffer_type):
            return NOT_FOUND
        received, buffered = _BODY_TYPES[buffer_type]
        old = (envoy.get_body(buffered) or b"") + (envoy.get_body(received) or b"")
        if start < 0 or size < 0 or start > len(old):
            return BAD_ARGUMENT
        new = old[:start] + value + old[start + size :]
        envoy.drain_body(buffered, len(old))
        envoy.drain_body(received, len(old))
        if new and not envoy.append_body(received, new):
            return BAD_ARGUMENT
        return OK

    # -- header maps ------------------------------------------------------------------------------
    def _call_map(self, map_type: int) -> _HeaderList | None:
        response = self.runtime.call_response()
        if response is None:
            return None
        return list(response[0]) if map_type == _CALL_RESPONSE_HEADERS else []

    def _stream_map(self, map_type: int) -> bool:
        return 0 <= map_type <= 3 and self.runtime.has_stream()

    def proxy_get_header_map_pairs(self, map_type: int) -> tuple[int, _HeaderList | None]:
        if map_type in (_CALL_RESPONSE_HEADERS, _CALL_RESPONSE_TRAILERS):
            pairs = self._call_map(map_type)
            return (BAD_ARGUMENT, None) if pairs is None else (OK, pairs)
        if not self._stream_map(map_type):
            return BAD_ARGUMENT, None
        return OK, envoy.get_headers(map_type)

    def proxy_get_header_map_size(self, map_type: int) -> tuple[int, int]:
        status, pairs = self.proxy_get_header_map_pairs(map_type)
        return (status, 0) if pairs is None else (OK, len(pairs))

    def proxy_set_header_map_pairs(self, map_type: int, pairs: Pairs) -> int:
        if not self._stream_map(map_type):
            return BAD_ARGUMENT
        wanted = {k.lower() for k, _ in pairs}
        for key in {k for k, _ in envoy.get_headers(map_type)} - wanted:
            envoy.set_header(map_type, key, None)
        seen: set[bytes] = set()
        for key, value in pairs:
            k = key.lower()
            if k in seen:
                envoy.add_header(map_type, k, value)
            else:
                seen.add(k)
                envoy.set_header(map_type, k, value)
        return OK

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> tuple[int, bytes | None]:
        if map_type in (_CALL_RESPONSE_HEADERS, _CALL_RESPONSE_TRAILERS):
            pairs = self._call_map(map_type)
            if pairs is None:
                return BAD_ARGUMENT, None
            wanted = key.lower()
            return next(((OK, v) for k, v in pairs if k.lower() == wanted), (NOT_FOUND, None))
        if not self._stream_map(map_type):
            return BAD_ARGUMENT, None
        value = envoy.get_header(map_type, key.lower())
        return (NOT_FOUND, None) if value is None else (OK, value)

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> int:
        if not self._stream_map(map_type) or not envoy.add_header(map_type, key.lower(), value):
            return BAD_ARGUMENT
        return OK

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> int:
        if not self._stream_map(map_type) or not envoy.set_header(map_type, key.lower(), value):
            return BAD_ARGUMENT
        return OK

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> int:
        if not self._stream_map(map_type):
            return BAD_ARGUMENT
        envoy.set_header(map_type, key.lower(), None)
        return OK

    # -- stream control ---------------------------------------------------------------------------
    def proxy_continue_stream(self, stream_type: int) -> int:
        if stream_type not in (0, 1):
            return UNIMPLEMENTED
        return OK if self.runtime.resume(stream_type == 1) else BAD_ARGUMENT

    def proxy_close_stream(self, stream_type: int) -> int:
        if stream_type in (2, 3) and self.runtime.has_connection():
            self.runtime.after_call(envoy.net_close)
            return OK
        return UNIMPLEMENTED

    def proxy_send_local_response(
        self, status_code: int, details: bytes, body: bytes, headers: Pairs, grpc_status: int
    ) -> int:
        pairs = [(bytes(k).lower(), bytes(v)) for k, v in headers]
        if not self.runtime.send_local_response(status_code, pairs, bytes(body), bytes(details)):
            return BAD_ARGUMENT
        return OK

    def proxy_get_status(self) -> tuple[int, int, bytes | None]:
        status = self.runtime.call_status()
        return (NOT_FOUND, 0, None) if status is None else (OK, *status)

    # -- HTTP and gRPC callouts -------------------------------------------------------------------
    def proxy_http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, trailers: Pairs, timeout_ms: int
    ) -> tuple[int, int]:
        token = self.runtime.http_call(bytes(upstream), headers, bytes(body), timeout_ms)
        return (BAD_ARGUMENT, 0) if token is None else (OK, token)

    def proxy_grpc_call(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Pairs,
        message: bytes,
        timeout_ms: int,
    ) -> tuple[int, int]:
        return UNIMPLEMENTED, 0

    def proxy_grpc_stream(
        self, upstream: bytes, service: bytes, method: bytes, initial_metadata: Pairs
    ) -> tuple[int, int]:
        return UNIMPLEMENTED, 0

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> int:
        return UNIMPLEMENTED

    def proxy_grpc_cancel(self, token: int) -> int:
        return UNIMPLEMENTED

    def proxy_grpc_close(self, token: int) -> int:
        return UNIMPLEMENTED

    # -- shared data and queues (process-wide, guarded by the GIL) --------------------------------
    def proxy_get_shared_data(self, key: bytes) -> tuple[int, tuple[bytes, int] | None]:
        entry = self.runtime.shared_data.get(bytes(key))
        return (NOT_FOUND, None) if entry is None else (OK, entry)

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> int:
        k = bytes(key)
        current = self.runtime.shared_data.get(k)
        if cas and current is not None and current[1] != cas:
            return Status.CAS_MISMATCH
        self.runtime.shared_data[k] = (bytes(value), next(self.runtime.cas_counter))
        return OK

    def proxy_register_shared_queue(self, name: bytes) -> tuple[int, int]:
        return OK, self.runtime.register_queue(bytes(name))

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> tuple[int, int | None]:
        queue_id = self.runtime.queue_ids.get(bytes(name))
        return (NOT_FOUND, None) if queue_id is None else (OK, queue_id)

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> int:
        return OK if self.runtime.enqueue(queue_id, bytes(value)) else NOT_FOUND

    def proxy_dequeue_shared_queue(self, queue_id: int) -> tuple[int, bytes | None]:
        queue = self.runtime.queues.get(queue_id)
        if queue is None:
            return NOT_FOUND, None
        return (OK, queue.popleft()) if queue else (Status.EMPTY, None)

    # -- metrics: Envoy's stats, with a process-wide shadow value for proxy_get_metric ------------
    def proxy_define_metric(self, metric_type: int, name: bytes) -> tuple[int, int]:
        if metric_type not in (_COUNTER, _GAUGE, _HISTOGRAM):
            return BAD_ARGUMENT, 0
        metric_id = self.runtime.define_metric(metric_type, bytes(name))
        return (BAD_ARGUMENT, 0) if metric_id is None else (OK, metric_id)

    def proxy_record_metric(self, metric_id: int, value: int) -> int:
        return OK if self.runtime.update_metric(metric_id, 0, value) else NOT_FOUND

    def proxy_increment_metric(self, metric_id: int, delta: int) -> int:
        return OK if self.runtime.update_metric(metric_id, 1, delta) else NOT_FOUND

    def proxy_get_metric(self, metric_id: int) -> tuple[int, int]:
        value = self.runtime.metric_values.get(metric_id)
        return (NOT_FOUND, 0) if value is None else (OK, value)

    # -- properties and foreign functions ---------------------------------------------------------
    def proxy_get_property(self, path: bytes) -> tuple[int, bytes | None]:
        value = self._property(bytes(path))
        return (NOT_FOUND, None) if value is None else (OK, value)

    def _property(self, p: bytes) -> bytes | None:
        fixed = self.runtime.plugin_property(p)
        if fixed is not None:
            return fixed
        if self.runtime.has_connection():
            return _connection_property(p)
        if not self.runtime.has_stream():
            return None
        attribute = _ATTRIBUTES.get(p)
        if attribute is not None:
            if attribute[1]:
                number = envoy.attribute_int(attribute[0])
                return None if number is None else number.to_bytes(8, "little", signed=False)
            return envoy.attribute_string(attribute[0])
        if p.startswith(_METADATA) and p.count(b"\0") == 3:
            namespace, key = p[len(_METADATA) :].split(b"\0")
            text = envoy.get_metadata(0, namespace, key)
            if text is not None:
                return text
            real = envoy.get_metadata_number(0, namespace, key)
            return None if real is None else struct.pack("<d", real)
        return envoy.get_filter_state(_state_key(p))

    def proxy_set_property(self, path: bytes, value: bytes) -> int:
        if self.runtime.has_connection():
            done = envoy.net_set_filter_state(_state_key(bytes(path)), bytes(value), False)
        elif not self.runtime.has_stream():
            return NOT_FOUND
        else:
            done = envoy.set_filter_state(_state_key(bytes(path)), bytes(value))
        return OK if done else BAD_ARGUMENT

    def proxy_call_foreign_function(
        self, name: bytes, arguments: bytes
    ) -> tuple[int, bytes | None]:
        # Envoy-Wasm's foreign functions that the dynamic-module ABI (or zlib, the library
        # Envoy's compress/uncompress use) can serve.
        key = bytes(name)
        if key == b"clear_route_cache" and self.runtime.has_stream():
            envoy.clear_route_cache()
            return OK, b""
        if key == b"set_envoy_filter_state":
            parsed = filter_state_arguments(bytes(arguments))
            if parsed is None:
                return BAD_ARGUMENT, None
            path, value = parsed
            if self.runtime.has_connection():
                done = envoy.net_set_filter_state(path, value, True)
            elif self.runtime.has_stream():
                done = envoy.set_filter_state_typed(path, value)
            else:
                done = False
            return (OK, b"") if done else (BAD_ARGUMENT, None)
        if key == b"compress":
            return OK, zlib.compress(bytes(arguments))
        if key == b"uncompress":
            try:
                return OK, zlib.decompress(bytes(arguments))
            except zlib.error:
                return Status.SERIALIZATION_FAILURE, None
        return NOT_FOUND, None

    # -- not an ABI import ------------------------------------------------------------------------
    def set_callback_mask(self, mask: int) -> None:
        envoy.set_callback_mask(mask)


def _connection_property(path: bytes) -> bytes | None:
    """A TCP connection's properties: addresses and ports, then filter state."""
    local = path.startswith(b"destination\0")
    if path in (b"source\0address", b"source\0port", b"destination\0address", b"destination\0port"):
        found = envoy.net_address(local)
        if found is None:
            return None
        address, port = found
        if path.endswith(b"port"):
            return port.to_bytes(8, "little")
        return address + b":" + str(port).encode()
    return envoy.net_get_filter_state(_state_key(path))


def _state_key(path: bytes) -> bytes:
    """The filter-state key a property path is stored under (as Envoy-Wasm: ``wasm.`` prefix)."""
    return b"wasm." + path.replace(b"\0", b".")
