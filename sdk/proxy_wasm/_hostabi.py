# GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit.
"""The one low-level interface between the SDK and a Proxy-Wasm host.

Every implementation must behave identically:

* ``_proxy_wasm_host``: a built-in C module compiled into every ``.wasm``
  (``runtime_shim/shim.c``); each function calls the matching ``env.proxy_*`` import of
  ABI v0.2.1.
* ``proxy_wasm.testing.null_binding.NullHost``: the null runtime's binding, used when
  the filter runs in the test's own CPython; it forwards to the emulated host.

Every function carries the exact ABI import name. Arguments and results are Python
values, never pointers; header maps are lists of ``(key, value)`` byte pairs; property
paths are already joined with NUL bytes (``b"request\\0path"``). Status codes are
mapped here, once, as follows:

* ``OK`` gives the result;
* the statuses that mean *absent* for a call (listed per function as "absent: ...")
  give ``None``;
* any other status raises ``proxy_wasm.errors.status_error(status, "<import name>")``.

The SDK reaches the current implementation through ``proxy_wasm._host.host``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ._abi import CALLBACK_BITS, callback_bit

__all__ = ["CALLBACK_BITS", "HostABI", "Pairs", "callback_bit"]

Pairs = Sequence[tuple[bytes, bytes]]


class HostABI(Protocol):
    """The ``env.proxy_*`` imports of Proxy-Wasm ABI v0.2.1, with status codes mapped."""

    # -- logging, clock, timers, context
    def proxy_log(self, level: int, message: bytes) -> None: ...
    def proxy_get_log_level(self) -> int: ...
    def proxy_get_current_time_nanoseconds(self) -> int: ...
    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> None: ...
    def proxy_set_effective_context(self, context_id: int) -> None: ...
    def proxy_done(self) -> None: ...

    # -- buffers
    def proxy_get_buffer_bytes(self, buffer_type: int, start: int, max_size: int) -> bytes | None:
        """absent: NOT_FOUND."""
        ...

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int]:
        """Return ``(buffered_size, flags)``."""
        ...

    def proxy_set_buffer_bytes(
        self, buffer_type: int, start: int, size: int, value: bytes
    ) -> None: ...

    # -- header maps
    def proxy_get_header_map_pairs(self, map_type: int) -> list[tuple[bytes, bytes]]: ...
    def proxy_get_header_map_size(self, map_type: int) -> int: ...
    def proxy_set_header_map_pairs(self, map_type: int, pairs: Pairs) -> None: ...
    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> bytes | None:
        """Only the first value of a repeated header, as in Envoy. absent: NOT_FOUND."""
        ...

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None: ...
    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> None: ...
    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> None: ...

    # -- stream control
    def proxy_continue_stream(self, stream_type: int) -> None: ...
    def proxy_close_stream(self, stream_type: int) -> None: ...
    def proxy_send_local_response(
        self, status_code: int, details: bytes, body: bytes, headers: Pairs, grpc_status: int
    ) -> None: ...
    def proxy_get_status(self) -> tuple[int, bytes]:
        """Return ``(status_code, message)`` of the last callout (HTTP call or gRPC close)."""
        ...

    # -- HTTP and gRPC callouts
    def proxy_http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, trailers: Pairs, timeout_ms: int
    ) -> int: ...
    def proxy_grpc_call(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Pairs,
        message: bytes,
        timeout_ms: int,
    ) -> int: ...
    def proxy_grpc_stream(
        self, upstream: bytes, service: bytes, method: bytes, initial_metadata: Pairs
    ) -> int: ...
    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> None: ...
    def proxy_grpc_cancel(self, token: int) -> None: ...
    def proxy_grpc_close(self, token: int) -> None: ...

    # -- shared data and queues
    def proxy_get_shared_data(self, key: bytes) -> tuple[bytes, int] | None:
        """Return ``(value, cas)``. absent: NOT_FOUND."""
        ...

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> None: ...
    def proxy_register_shared_queue(self, name: bytes) -> int: ...
    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> int | None:
        """absent: NOT_FOUND."""
        ...

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> None: ...
    def proxy_dequeue_shared_queue(self, queue_id: int) -> bytes | None:
        """absent: EMPTY."""
        ...

    # -- metrics
    def proxy_define_metric(self, metric_type: int, name: bytes) -> int: ...
    def proxy_record_metric(self, metric_id: int, value: int) -> None: ...
    def proxy_increment_metric(self, metric_id: int, delta: int) -> None: ...
    def proxy_get_metric(self, metric_id: int) -> int: ...

    # -- properties and foreign functions
    def proxy_get_property(self, path: bytes) -> bytes | None:
        """absent: NOT_FOUND."""
        ...

    def proxy_set_property(self, path: bytes, value: bytes) -> None: ...
    def proxy_call_foreign_function(self, name: bytes, arguments: bytes) -> bytes: ...

    # -- not an ABI import: which optional callbacks the filter overrides (CALLBACK_BITS)
    def set_callback_mask(self, mask: int) -> None: ...
