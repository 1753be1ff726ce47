"""``HostABI`` (contract 1) on Envoy's dynamic-module callbacks, for the native runtime.

One method per ``env.proxy_*`` import, each the same shape: call the built-in
``_proxy_wasm_envoy`` (one thin C function per Envoy callback, on the current stream) or the
process-wide state of :mod:`proxy_wasm_shim.native.runtime`, and map failures to statuses as
``proxy_wasm._hostabi`` says (absent -> ``None``, anything else ->
``proxy_wasm.errors.status_error(status, "<import name>")``). What Envoy's dynamic-module ABI
cannot do raises ``UNIMPLEMENTED`` naming the import.
"""

from __future__ import annotations

import struct
import time
import zlib
from typing import TYPE_CHECKING

import _proxy_wasm_envoy as envoy

from proxy_wasm._hostabi import HostABI, Pairs
from proxy_wasm.errors import ProxyWasmError, status_error
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


def _fail(status: int, call: str) -> ProxyWasmError:
    return status_error(status, call)


def _unimplemented(call: str) -> ProxyWasmError:
    return status_error(Status.UNIMPLEMENTED, call)


class EnvoyHost:
    """``HostABI`` for a filter running inside Envoy natively (see module docstring)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    # -- logging, clock, timers, context ----------------------------------------------------------
    def proxy_log(self, level: int, message: bytes) -> None:
        if not 0 <= level <= 5:
            raise _fail(Status.BAD_ARGUMENT, "proxy_log")
        envoy.log(level, self.runtime.log_prefix() + message)

    def proxy_get_log_level(self) -> int:
        for level in range(6):
            if envoy.log_enabled(level):
                return level
        return 5

    def proxy_get_current_time_nanoseconds(self) -> int:
        return time.time_ns()

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> None:
        self.runtime.set_tick_period(period_ms)

    def proxy_set_effective_context(self, context_id: int) -> None:
        if not self.runtime.set_effective_context(context_id):
            raise _fail(Status.BAD_ARGUMENT, "proxy_set_effective_context")

    def proxy_done(self) -> None:
        raise _fail(Status.NOT_FOUND, "proxy_done")

    # -- buffers ----------------------------------------------------------------------------------
    def _buffer(self, buffer_type: int, call: str) -> bytes | None:
        if buffer_type in _BODY_TYPES:
            if not self.runtime.in_body(buffer_type):
                return None
            received, buffered = _BODY_TYPES[buffer_type]
            return (envoy.get_body(buffered) or b"") + (envoy.get_body(received) or b"")
        if buffer_type in _NETWORK_TYPES:
            if not self.runtime.in_body(buffer_type):
                return None
            return envoy.net_get_data(buffer_type == _UPSTREAM_DATA) or b""
        if buffer_type == _CALL_RESPONSE_BODY:
            response = self.runtime.call_response()
            return None if response is None else response[1]
        if buffer_type in (_VM_CONFIGURATION, _PLUGIN_CONFIGURATION):
            return self.runtime.configuration(buffer_type == _VM_CONFIGURATION)
        if 0 <= buffer_type <= 8:
            return None
        raise _fail(Status.BAD_ARGUMENT, call)

    def proxy_get_buffer_bytes(self, buffer_type: int, start: int, max_size: int) -> bytes | None:
        data = self._buffer(buffer_type, "proxy_get_buffer_bytes")
        if data is None:
            return None
        if start < 0 or max_size < 0 or start > len(data):
            raise _fail(Status.BAD_ARGUMENT, "proxy_get_buffer_bytes")
        return data[start : start + max_size]

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int]:
        data = self._buffer(buffer_type, "proxy_get_buffer_status")
        if data is None:
            raise _fail(Status.NOT_FOUND, "proxy_get_buffer_status")
        return len(data), 0

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> None:
        if buffer_type in _NETWORK_TYPES and self.runtime.in_body(buffer_type):
            upstream = buffer_type == _UPSTREAM_DATA
            data = envoy.net_get_data(upstream) or b""
            if start < 0 or size < 0 or start > len(data):
                raise _fail(Status.BAD_ARGUMENT, "proxy_set_buffer_bytes")
            envoy.net_drain(upstream, len(data))
            new = data[:start] + value + data[start + size :]
            if new:
                envoy.net_append(upstream, new)
            return
        if buffer_type not in _BODY_TYPES or not self.runtime.in_body(buffer_type):
            raise _fail(Status.NOT_FOUND, "proxy_set_buffer_bytes")
        received, buffered = _BODY_TYPES[buffer_type]
        old = (envoy.get_body(buffered) or b"") + (envoy.get_body(received) or b"")
        if start < 0 or size < 0 or start > len(old):
            raise _fail(Status.BAD_ARGUMENT, "proxy_set_buffer_bytes")
        new = old[:start] + value + old[start + size :]
        envoy.drain_body(buffered, len(old))
        envoy.drain_body(received, len(old))
        if new and not envoy.append_body(received, new):
            raise _fail(Status.BAD_ARGUMENT, "proxy_set_buffer_bytes")

    # -- header maps ------------------------------------------------------------------------------
    def _call_map(self, map_type: int, call: str) -> list[tuple[bytes, bytes]]:
        response = self.runtime.call_response()
        if response is None:
            raise _fail(Status.BAD_ARGUMENT, call)
        return list(response[0]) if map_type == _CALL_RESPONSE_HEADERS else []

    def _stream_map(self, map_type: int, call: str) -> None:
        if not 0 <= map_type <= 3 or not self.runtime.has_stream():
            raise _fail(Status.BAD_ARGUMENT, call)

    def proxy_get_header_map_pairs(self, map_type: int) -> list[tuple[bytes, bytes]]:
        if map_type in (_CALL_RESPONSE_HEADERS, _CALL_RESPONSE_TRAILERS):
            return self._call_map(map_type, "proxy_get_header_map_pairs")
        self._stream_map(map_type, "proxy_get_header_map_pairs")
        return envoy.get_headers(map_type)

    def proxy_get_header_map_size(self, map_type: int) -> int:
        return len(self.proxy_get_header_map_pairs(map_type))

    def proxy_set_header_map_pairs(self, map_type: int, pairs: Pairs) -> None:
        self._stream_map(map_type, "proxy_set_header_map_pairs")
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

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> bytes | None:
        if map_type in (_CALL_RESPONSE_HEADERS, _CALL_RESPONSE_TRAILERS):
            wanted = key.lower()
            for k, v in self._call_map(map_type, "proxy_get_header_map_value"):
                if k.lower() == wanted:
                    return v
            return None
        self._stream_map(map_type, "proxy_get_header_map_value")
        return envoy.get_header(map_type, key.lower())

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        self._stream_map(map_type, "proxy_add_header_map_value")
        if not envoy.add_header(map_type, key.lower(), value):
            raise _fail(Status.BAD_ARGUMENT, "proxy_add_header_map_value")

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        self._stream_map(map_type, "proxy_replace_header_map_value")
        if not envoy.set_header(map_type, key.lower(), value):
            raise _fail(Status.BAD_ARGUMENT, "proxy_replace_header_map_value")

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> None:
        self._stream_map(map_type, "proxy_remove_header_map_value")
        envoy.set_header(map_type, key.lower(), None)

    # -- stream control ---------------------------------------------------------------------------
    def proxy_continue_stream(self, stream_type: int) -> None:
        if stream_type not in (0, 1):
            raise _unimplemented("proxy_continue_stream")
        if not self.runtime.resume(stream_type == 1):
            raise _fail(Status.BAD_ARGUMENT, "proxy_continue_stream")

    def proxy_close_stream(self, stream_type: int) -> None:
        if stream_type in (2, 3) and self.runtime.has_connection():
            self.runtime.after_call(envoy.net_close)
            return
        raise _unimplemented("proxy_close_stream")

    def proxy_send_local_response(
        self, status_code: int, details: bytes, body: bytes, headers: Pairs, grpc_status: int
    ) -> None:
        pairs = [(bytes(k).lower(), bytes(v)) for k, v in headers]
        if not self.runtime.send_local_response(status_code, pairs, bytes(body), bytes(details)):
            raise _fail(Status.BAD_ARGUMENT, "proxy_send_local_response")

    def proxy_get_status(self) -> tuple[int, bytes]:
        status = self.runtime.call_status()
        if status is None:
            raise _fail(Status.NOT_FOUND, "proxy_get_status")
        return status

    # -- HTTP and gRPC callouts -------------------------------------------------------------------
    def proxy_http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, trailers: Pairs, timeout_ms: int
    ) -> int:
        token = self.runtime.http_call(bytes(upstream), headers, bytes(body), timeout_ms)
        if token is None:
            raise _fail(Status.BAD_ARGUMENT, "proxy_http_call")
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
        raise _unimplemented("proxy_grpc_call")

    def proxy_grpc_stream(
        self, upstream: bytes, service: bytes, method: bytes, initial_metadata: Pairs
    ) -> int:
        raise _unimplemented("proxy_grpc_stream")

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> None:
        raise _unimplemented("proxy_grpc_send")

    def proxy_grpc_cancel(self, token: int) -> None:
        raise _unimplemented("proxy_grpc_cancel")

    def proxy_grpc_close(self, token: int) -> None:
        raise _unimplemented("proxy_grpc_close")

    # -- shared data and queues (process-wide, guarded by the GIL) --------------------------------
    def proxy_get_shared_data(self, key: bytes) -> tuple[bytes, int] | None:
        return self.runtime.shared_data.get(bytes(key))

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> None:
        k = bytes(key)
        current = self.runtime.shared_data.get(k)
        if cas and current is not None and current[1] != cas:
            raise _fail(Status.CAS_MISMATCH, "proxy_set_shared_data")
        self.runtime.shared_data[k] = (bytes(value), next(self.runtime.cas_counter))

    def proxy_register_shared_queue(self, name: bytes) -> int:
        return self.runtime.register_queue(bytes(name))

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> int | None:
        return self.runtime.queue_ids.get(bytes(name))

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> None:
        if not self.runtime.enqueue(queue_id, bytes(value)):
            raise _fail(Status.NOT_FOUND, "proxy_enqueue_shared_queue")

    def proxy_dequeue_shared_queue(self, queue_id: int) -> bytes | None:
        queue = self.runtime.queues.get(queue_id)
        if queue is None:
            raise _fail(Status.NOT_FOUND, "proxy_dequeue_shared_queue")
        return queue.popleft() if queue else None

    # -- metrics: Envoy's stats, with a process-wide shadow value for proxy_get_metric ------------
    def proxy_define_metric(self, metric_type: int, name: bytes) -> int:
        if metric_type not in (_COUNTER, _GAUGE, _HISTOGRAM):
            raise _fail(Status.BAD_ARGUMENT, "proxy_define_metric")
        metric_id = self.runtime.define_metric(metric_type, bytes(name))
        if metric_id is None:
            raise _fail(Status.BAD_ARGUMENT, "proxy_define_metric")
        return metric_id

    def _update(self, metric_id: int, op: int, value: int, call: str) -> None:
        if not self.runtime.update_metric(metric_id, op, value):
            raise _fail(Status.NOT_FOUND, call)

    def proxy_record_metric(self, metric_id: int, value: int) -> None:
        self._update(metric_id, 0, value, "proxy_record_metric")

    def proxy_increment_metric(self, metric_id: int, delta: int) -> None:
        self._update(metric_id, 1, delta, "proxy_increment_metric")

    def proxy_get_metric(self, metric_id: int) -> int:
        value = self.runtime.metric_values.get(metric_id)
        if value is None:
            raise _fail(Status.NOT_FOUND, "proxy_get_metric")
        return value

    # -- properties and foreign functions ---------------------------------------------------------
    def proxy_get_property(self, path: bytes) -> bytes | None:
        p = bytes(path)
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

    def proxy_set_property(self, path: bytes, value: bytes) -> None:
        if self.runtime.has_connection():
            if not envoy.net_set_filter_state(_state_key(bytes(path)), bytes(value), False):
                raise _fail(Status.BAD_ARGUMENT, "proxy_set_property")
            return
        if not self.runtime.has_stream():
            raise _fail(Status.NOT_FOUND, "proxy_set_property")
        if not envoy.set_filter_state(_state_key(bytes(path)), bytes(value)):
            raise _fail(Status.BAD_ARGUMENT, "proxy_set_property")

    def proxy_call_foreign_function(self, name: bytes, arguments: bytes) -> bytes:
        # Envoy-Wasm's foreign functions that the dynamic-module ABI (or zlib, the library
        # Envoy's compress/uncompress use) can serve.
        key = bytes(name)
        if key == b"clear_route_cache" and self.runtime.has_stream():
            envoy.clear_route_cache()
            return b""
        if key == b"set_envoy_filter_state":
            parsed = filter_state_arguments(bytes(arguments))
            if parsed is None:
                raise _fail(Status.BAD_ARGUMENT, "proxy_call_foreign_function")
            path, value = parsed
            if self.runtime.has_connection():
                done = envoy.net_set_filter_state(path, value, True)
            elif self.runtime.has_stream():
                done = envoy.set_filter_state_typed(path, value)
            else:
                done = False
            if not done:
                raise _fail(Status.BAD_ARGUMENT, "proxy_call_foreign_function")
            return b""
        if key == b"compress":
            return zlib.compress(bytes(arguments))
        if key == b"uncompress":
            try:
                return zlib.decompress(bytes(arguments))
            except zlib.error:
                raise _fail(Status.SERIALIZATION_FAILURE, "proxy_call_foreign_function") from None
        raise _fail(Status.NOT_FOUND, "proxy_call_foreign_function")

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


def _conforms(host: EnvoyHost) -> HostABI:
    """mypy checks here that :class:`EnvoyHost` implements every ``HostABI`` method."""
    return host
