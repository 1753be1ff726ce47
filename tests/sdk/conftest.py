"""A small recording fake of ``HostABI`` for the SDK's unit tests (not the emulator)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from proxy_wasm import _dispatch, _host
from proxy_wasm.errors import status_error
from proxy_wasm.types import Status

if TYPE_CHECKING:
    from proxy_wasm._hostabi import HostABI, Pairs


class FakeHost:
    """Records every call; header maps, buffers, properties etc. live in plain dicts."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.logs: list[tuple[int, str]] = []
        self.log_level = 0
        self.now_ns = 1_700_000_000_123_456_789
        self.maps: dict[int, list[tuple[bytes, bytes]]] = {}
        self.unavailable_maps: set[int] = set()
        self.buffers: dict[int, bytes] = {}
        self.properties: dict[bytes, bytes] = {}
        self.shared: dict[bytes, tuple[bytes, int]] = {}
        self.cas = 0
        self.queues: dict[int, list[bytes]] = {}
        self.queue_names: dict[bytes, int] = {}
        self.metrics: dict[int, tuple[int, bytes, int]] = {}
        self.mask: int | None = None
        self.effective: int | None = None
        self.local_response: tuple[int, bytes, bytes, list[tuple[bytes, bytes]], int] | None = None
        self.next_token = 100
        self.status: tuple[int, bytes] = (0, b"")
        self.foreign: dict[bytes, bytes] = {}
        self.tick_ms: int | None = None

    def _rec(self, name: str, *args: object) -> None:
        self.calls.append((name, args))

    def names(self) -> list[str]:
        return [n for n, _ in self.calls]

    def error_logs(self) -> list[str]:
        return [m for lvl, m in self.logs if lvl == 4]

    # logging, clock, timers, context
    def proxy_log(self, level: int, message: bytes) -> None:
        self.logs.append((level, message.decode()))

    def proxy_get_log_level(self) -> int:
        self._rec("proxy_get_log_level")
        return self.log_level

    def proxy_get_current_time_nanoseconds(self) -> int:
        return self.now_ns

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> None:
        self.tick_ms = period_ms

    def proxy_set_effective_context(self, context_id: int) -> None:
        self._rec("proxy_set_effective_context", context_id)
        self.effective = context_id

    def proxy_done(self) -> None:
        self._rec("proxy_done")

    # buffers
    def proxy_get_buffer_bytes(self, buffer_type: int, start: int, max_size: int) -> bytes | None:
        self._rec("proxy_get_buffer_bytes", buffer_type, start, max_size)
        data = self.buffers.get(buffer_type)
        if data is None:
            return None
        return data[start : start + max_size]

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int]:
        return len(self.buffers.get(buffer_type, b"")), 0

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> None:
        self._rec("proxy_set_buffer_bytes", buffer_type, start, size, value)
        if buffer_type not in self.buffers:
            raise status_error(Status.NOT_FOUND, "proxy_set_buffer_bytes")
        data = self.buffers[buffer_type]
        if start == 0 and size == 0:
            self.buffers[buffer_type] = value + data
        elif start >= len(data):
            self.buffers[buffer_type] = data + value
        elif start == 0 and size >= len(data):
            self.buffers[buffer_type] = value
        else:
            raise status_error(Status.BAD_ARGUMENT, "proxy_set_buffer_bytes")

    # header maps
    def _map(self, map_type: int, call: str) -> list[tuple[bytes, bytes]]:
        if map_type in self.unavailable_maps:
            raise status_error(Status.BAD_ARGUMENT, call)
        return self.maps.setdefault(map_type, [])

    def proxy_get_header_map_pairs(self, map_type: int) -> list[tuple[bytes, bytes]]:
        return list(self._map(map_type, "proxy_get_header_map_pairs"))

    def proxy_get_header_map_size(self, map_type: int) -> int:
        return len(self._map(map_type, "proxy_get_header_map_size"))

    def proxy_set_header_map_pairs(self, map_type: int, pairs: Pairs) -> None:
        self._map(map_type, "proxy_set_header_map_pairs")
        self.maps[map_type] = [(k.lower(), v) for k, v in pairs]

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> bytes | None:
        for k, v in self._map(map_type, "proxy_get_header_map_value"):
            if k == key.lower():
                return v
        return None

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        self._map(map_type, "proxy_add_header_map_value").append((key.lower(), value))

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None:
        m = self._map(map_type, "proxy_replace_header_map_value")
        m[:] = [(k, v) for k, v in m if k != key.lower()]
        m.append((key.lower(), value))

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> None:
        m = self._map(map_type, "proxy_remove_header_map_value")
        m[:] = [(k, v) for k, v in m if k != key.lower()]

    # stream control
    def proxy_continue_stream(self, stream_type: int) -> None:
        self._rec("proxy_continue_stream", stream_type)

    def proxy_close_stream(self, stream_type: int) -> None:
        self._rec("proxy_close_stream", stream_type)

    def proxy_send_local_response(
        self, status_code: int, details: bytes, body: bytes, headers: Pairs, grpc_status: int
    ) -> None:
        self._rec("proxy_send_local_response", status_code)
        self.local_response = (status_code, details, body, list(headers), grpc_status)

    def proxy_get_status(self) -> tuple[int, bytes]:
        return self.status

    # callouts
    def _token(self) -> int:
        self.next_token += 1
        return self.next_token

    def proxy_http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, trailers: Pairs, timeout_ms: int
    ) -> int:
        self._rec("proxy_http_call", upstream, list(headers), body, list(trailers), timeout_ms)
        return self._token()

    def proxy_grpc_call(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Pairs,
        message: bytes,
        timeout_ms: int,
    ) -> int:
        self._rec("proxy_grpc_call", upstream, service, method, message, timeout_ms)
        return self._token()

    def proxy_grpc_stream(
        self, upstream: bytes, service: bytes, method: bytes, initial_metadata: Pairs
    ) -> int:
        self._rec("proxy_grpc_stream", upstream, service, method)
        return self._token()

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> None:
        self._rec("proxy_grpc_send", token, message, end_stream)

    def proxy_grpc_cancel(self, token: int) -> None:
        self._rec("proxy_grpc_cancel", token)

    def proxy_grpc_close(self, token: int) -> None:
        self._rec("proxy_grpc_close", token)

    # shared data and queues
    def proxy_get_shared_data(self, key: bytes) -> tuple[bytes, int] | None:
        return self.shared.get(key)

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> None:
        current = self.shared.get(key)
        if cas and current is not None and current[1] != cas:
            raise status_error(Status.CAS_MISMATCH, "proxy_set_shared_data")
        self.cas += 1
        self.shared[key] = (value, self.cas)

    def proxy_register_shared_queue(self, name: bytes) -> int:
        qid = self.queue_names.setdefault(name, len(self.queue_names) + 1)
        self.queues.setdefault(qid, [])
        return qid

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> int | None:
        return self.queue_names.get(name)

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> None:
        if queue_id not in self.queues:
            raise status_error(Status.NOT_FOUND, "proxy_enqueue_shared_queue")
        self.queues[queue_id].append(value)

    def proxy_dequeue_shared_queue(self, queue_id: int) -> bytes | None:
        q = self.queues[queue_id]
        return q.pop(0) if q else None

    # metrics
    def proxy_define_metric(self, metric_type: int, name: bytes) -> int:
        self._rec("proxy_define_metric", metric_type, name)
        mid = len(self.metrics) + 1
        self.metrics[mid] = (metric_type, name, 0)
        return mid

    def proxy_record_metric(self, metric_id: int, value: int) -> None:
        t, n, _ = self.metrics[metric_id]
        self.metrics[metric_id] = (t, n, value)

    def proxy_increment_metric(self, metric_id: int, delta: int) -> None:
        t, n, v = self.metrics[metric_id]
        self.metrics[metric_id] = (t, n, v + delta)

    def proxy_get_metric(self, metric_id: int) -> int:
        return self.metrics[metric_id][2]

    # properties and foreign functions
    def proxy_get_property(self, path: bytes) -> bytes | None:
        self._rec("proxy_get_property", path)
        return self.properties.get(path)

    def proxy_set_property(self, path: bytes, value: bytes) -> None:
        self.properties[path] = value

    def proxy_call_foreign_function(self, name: bytes, arguments: bytes) -> bytes:
        self._rec("proxy_call_foreign_function", name, arguments)
        if name not in self.foreign:
            raise status_error(Status.NOT_FOUND, "proxy_call_foreign_function")
        return self.foreign[name]

    def set_callback_mask(self, mask: int) -> None:
        self._rec("set_callback_mask", mask)
        self.mask = mask


if TYPE_CHECKING:
    _check: HostABI = FakeHost()


@pytest.fixture
def host() -> Iterator[FakeHost]:
    """A fresh fake host bound to the SDK, with the dispatcher reset around the test."""
    fake = FakeHost()
    _dispatch.reset()
    _host.bind(fake)
    yield fake
    _dispatch.reset()
    _host.bind(None)
