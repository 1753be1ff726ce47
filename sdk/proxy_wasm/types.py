"""Enumerations of Proxy-Wasm ABI v0.2.1, with their wire values.

Every enum is an :class:`enum.IntEnum`, so a member can be passed wherever the ABI expects an
integer and compares equal to its wire value (``Action.PAUSE == 1``). Gaps in the spec's
numbering are kept (``Status`` has the C++ SDK's extra values 5, 9 and 11).
"""

from __future__ import annotations

from enum import IntEnum

# -- BEGIN GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate` --


class Action(IntEnum):
    """What a stream callback returns (``proxy_action_t``).

    ``PAUSE`` on request/response headers stops the whole stream in default Envoy (body
    callbacks included) until the filter resumes it; on a body callback it buffers the body.
    """

    CONTINUE = 0
    PAUSE = 1


class LogLevel(IntEnum):
    """Log levels of ``proxy_log`` (``proxy_log_level_t``)."""

    TRACE = 0
    DEBUG = 1
    INFO = 2
    WARN = 3
    ERROR = 4
    CRITICAL = 5


class PeerType(IntEnum):
    """Who closed a TCP connection (``proxy_peer_type_t``)."""

    UNKNOWN = 0
    LOCAL = 1
    REMOTE = 2


class Status(IntEnum):
    """Status codes returned by host calls (``proxy_status_t``, C++ ``WasmResult``)."""

    OK = 0
    NOT_FOUND = 1
    BAD_ARGUMENT = 2
    SERIALIZATION_FAILURE = 3
    PARSE_FAILURE = 4
    BAD_EXPRESSION = 5
    INVALID_MEMORY_ACCESS = 6
    EMPTY = 7
    CAS_MISMATCH = 8
    RESULT_MISMATCH = 9
    INTERNAL_FAILURE = 10
    BROKEN_CONNECTION = 11
    UNIMPLEMENTED = 12


class MetricType(IntEnum):
    """Kinds of metric for ``proxy_define_metric`` (``proxy_metric_type_t``)."""

    COUNTER = 0
    GAUGE = 1
    HISTOGRAM = 2


class BufferType(IntEnum):
    """Buffers readable with ``proxy_get_buffer_bytes`` (``proxy_buffer_type_t``)."""

    HTTP_REQUEST_BODY = 0
    HTTP_RESPONSE_BODY = 1
    DOWNSTREAM_DATA = 2
    UPSTREAM_DATA = 3
    HTTP_CALL_RESPONSE_BODY = 4
    GRPC_RECEIVE_BUFFER = 5
    VM_CONFIGURATION = 6
    PLUGIN_CONFIGURATION = 7
    FOREIGN_FUNCTION_ARGUMENTS = 8


class MapType(IntEnum):
    """Header maps addressed by the ``proxy_*_header_map_*`` calls (``proxy_map_type_t``)."""

    HTTP_REQUEST_HEADERS = 0
    HTTP_REQUEST_TRAILERS = 1
    HTTP_RESPONSE_HEADERS = 2
    HTTP_RESPONSE_TRAILERS = 3
    GRPC_RECEIVE_INITIAL_METADATA = 4
    GRPC_RECEIVE_TRAILING_METADATA = 5
    HTTP_CALL_RESPONSE_HEADERS = 6
    HTTP_CALL_RESPONSE_TRAILERS = 7


class StreamType(IntEnum):
    """Stream directions for ``proxy_continue_stream`` / ``proxy_close_stream``."""

    HTTP_REQUEST = 0
    HTTP_RESPONSE = 1
    DOWNSTREAM = 2
    UPSTREAM = 3


class GrpcStatus(IntEnum):
    """gRPC status codes (``grpc::StatusCode``); ``-1`` on the wire means "not gRPC"."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16


# -- END GENERATED --


class ExceptionPolicy(IntEnum):
    """What the SDK does after an exception escapes a stream callback.

    Either way the traceback is logged first, once, at error level.

    * ``LOCAL_REPLY_500`` (default): HTTP streams get a local reply ``500`` with body
      ``internal filter error`` and the callback returns ``PAUSE``; TCP connections are closed
      downstream.
    * ``CONTINUE``: the callback returns ``CONTINUE`` (fail open).
    """

    LOCAL_REPLY_500 = 0
    CONTINUE = 1
