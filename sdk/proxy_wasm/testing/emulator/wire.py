"""Wire values of ABI v0.2.1 as plain ints (from the ABI table's enums in ``proxy_wasm.types``),
and the guest protocol the emulator drives."""

from __future__ import annotations

from typing import Protocol

from proxy_wasm._abi import BOOL_CALLBACKS
from proxy_wasm.types import (
    Action,
    BufferType,
    LogLevel,
    MapType,
    MetricType,
    PeerType,
    Status,
    StreamType,
)

__all__ = [
    "BAD_ARGUMENT",
    "CAS_MISMATCH",
    "CONTINUE",
    "COUNTER",
    "CRITICAL",
    "DEBUG",
    "DOWNSTREAM_DATA",
    "EMPTY",
    "ERROR",
    "FOREIGN_FUNCTION_ARGUMENTS",
    "GAUGE",
    "GRPC_CALL_INITIAL_METADATA",
    "GRPC_CALL_MESSAGE",
    "GRPC_CALL_TRAILING_METADATA",
    "HISTOGRAM",
    "HTTP_CALL_RESPONSE_BODY",
    "HTTP_CALL_RESPONSE_HEADERS",
    "HTTP_CALL_RESPONSE_TRAILERS",
    "HTTP_REQUEST_BODY",
    "HTTP_REQUEST_HEADERS",
    "HTTP_REQUEST_TRAILERS",
    "HTTP_RESPONSE_BODY",
    "HTTP_RESPONSE_HEADERS",
    "HTTP_RESPONSE_TRAILERS",
    "INFO",
    "INTERNAL_FAILURE",
    "INVALID_MEMORY_ACCESS",
    "LEVEL_NAMES",
    "NOT_FOUND",
    "OK",
    "PARSE_FAILURE",
    "PAUSE",
    "PEER_LOCAL",
    "PEER_REMOTE",
    "PEER_UNKNOWN",
    "PLUGIN_CONFIGURATION",
    "SERIALIZATION_FAILURE",
    "STREAM_DOWNSTREAM",
    "STREAM_HTTP_REQUEST",
    "STREAM_HTTP_RESPONSE",
    "STREAM_UPSTREAM",
    "TRACE",
    "U64",
    "UNIMPLEMENTED",
    "UPSTREAM_DATA",
    "VM_CONFIGURATION",
    "WARN",
    "Guest",
    "GuestTrap",
    "Pairs",
    "callback_default",
    "lower_key",
]

# -- wire values, as plain ints (the ABI table's enums, proxy_wasm.types) --------------------------
OK = int(Status.OK)
NOT_FOUND = int(Status.NOT_FOUND)
BAD_ARGUMENT = int(Status.BAD_ARGUMENT)
SERIALIZATION_FAILURE = int(Status.SERIALIZATION_FAILURE)
PARSE_FAILURE = int(Status.PARSE_FAILURE)
INVALID_MEMORY_ACCESS = int(Status.INVALID_MEMORY_ACCESS)
EMPTY = int(Status.EMPTY)
CAS_MISMATCH = int(Status.CAS_MISMATCH)
INTERNAL_FAILURE = int(Status.INTERNAL_FAILURE)
UNIMPLEMENTED = int(Status.UNIMPLEMENTED)

CONTINUE = int(Action.CONTINUE)
PAUSE = int(Action.PAUSE)

TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL = (int(level) for level in LogLevel)
LEVEL_NAMES = tuple(level.name.lower() for level in LogLevel)

HTTP_REQUEST_BODY = int(BufferType.HTTP_REQUEST_BODY)
HTTP_RESPONSE_BODY = int(BufferType.HTTP_RESPONSE_BODY)
DOWNSTREAM_DATA = int(BufferType.DOWNSTREAM_DATA)
UPSTREAM_DATA = int(BufferType.UPSTREAM_DATA)
HTTP_CALL_RESPONSE_BODY = int(BufferType.HTTP_CALL_RESPONSE_BODY)
GRPC_CALL_MESSAGE = int(BufferType.GRPC_RECEIVE_BUFFER)
VM_CONFIGURATION = int(BufferType.VM_CONFIGURATION)
PLUGIN_CONFIGURATION = int(BufferType.PLUGIN_CONFIGURATION)
FOREIGN_FUNCTION_ARGUMENTS = int(BufferType.FOREIGN_FUNCTION_ARGUMENTS)

HTTP_REQUEST_HEADERS = int(MapType.HTTP_REQUEST_HEADERS)
HTTP_REQUEST_TRAILERS = int(MapType.HTTP_REQUEST_TRAILERS)
HTTP_RESPONSE_HEADERS = int(MapType.HTTP_RESPONSE_HEADERS)
HTTP_RESPONSE_TRAILERS = int(MapType.HTTP_RESPONSE_TRAILERS)
GRPC_CALL_INITIAL_METADATA = int(MapType.GRPC_RECEIVE_INITIAL_METADATA)
GRPC_CALL_TRAILING_METADATA = int(MapType.GRPC_RECEIVE_TRAILING_METADATA)
HTTP_CALL_RESPONSE_HEADERS = int(MapType.HTTP_CALL_RESPONSE_HEADERS)
HTTP_CALL_RESPONSE_TRAILERS = int(MapType.HTTP_CALL_RESPONSE_TRAILERS)

STREAM_HTTP_REQUEST = int(StreamType.HTTP_REQUEST)
STREAM_HTTP_RESPONSE = int(StreamType.HTTP_RESPONSE)
STREAM_DOWNSTREAM = int(StreamType.DOWNSTREAM)
STREAM_UPSTREAM = int(StreamType.UPSTREAM)

PEER_UNKNOWN = int(PeerType.UNKNOWN)
PEER_LOCAL = int(PeerType.LOCAL)
PEER_REMOTE = int(PeerType.REMOTE)

COUNTER = int(MetricType.COUNTER)
GAUGE = int(MetricType.GAUGE)
HISTOGRAM = int(MetricType.HISTOGRAM)

U64 = (1 << 64) - 1

Pairs = list[tuple[bytes, bytes]]


def callback_default(name: str) -> int:
    """What the host assumes when a callback is not exported (or its mask bit is clear)."""
    return 1 if name in BOOL_CALLBACKS else 0


class Guest(Protocol):
    """The filter side: calls one ``proxy_on_*`` callback, returning its result as an int."""

    def call(self, name: str, *args: int) -> int: ...


class GuestTrap(Exception):
    """The guest failed (a wasm trap): Envoy marks the VM failed and logs the trap."""


def lower_key(key: bytes) -> bytes:
    """A header name as Envoy stores it."""
    return bytes(key).lower()
