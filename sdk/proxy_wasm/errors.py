"""Exceptions raised by the SDK.

Host calls return a status code; the binding turns every status that is not ``OK`` (and not
the call's "absent" status, which gives ``None``) into an exception through
:func:`status_error`, one class per status::

    ProxyWasmError                  .status (a Status value), .call (the ABI import name)
    ├── NotFound                    NOT_FOUND(1) where absence is an error
    ├── BadArgument                 BAD_ARGUMENT(2), e.g. a map not available in this callback
    ├── SerializationFailure        SERIALIZATION_FAILURE(3)
    ├── ParseFailure                PARSE_FAILURE(4)
    ├── BadExpression               BAD_EXPRESSION(5)
    ├── InvalidMemoryAccess         INVALID_MEMORY_ACCESS(6)
    ├── Empty                       EMPTY(7) where emptiness is an error
    ├── CasMismatch                 CAS_MISMATCH(8): set_shared_data lost a compare-and-swap
    ├── ResultMismatch              RESULT_MISMATCH(9)
    ├── InternalFailure             INTERNAL_FAILURE(10), also a call restricted by the host
    ├── BrokenConnection            BROKEN_CONNECTION(11)
    └── Unimplemented               UNIMPLEMENTED(12)

Misuse errors are kept apart and raised before the host is called:

    ValueError
    ├── LimitExceeded               more pairs or bytes than the host accepts (1024 / 1 MiB)
    └── ConfigError                 plugin configuration that does not fit its dataclass
    RuntimeError
    └── HostNotBound                an SDK call made outside a Proxy-Wasm host
"""

from __future__ import annotations

from .types import Status


class ProxyWasmError(Exception):
    """A host call returned a status that is an error for that call."""

    status: int = Status.INTERNAL_FAILURE

    def __init__(self, message: str, *, status: int | None = None, call: str = "") -> None:
        super().__init__(message)
        if status is not None:
            self.status = status
        self.call = call


class NotFound(ProxyWasmError):
    """``NOT_FOUND``: the thing named does not exist (where absence is not ``None``)."""

    status = Status.NOT_FOUND


class BadArgument(ProxyWasmError):
    """``BAD_ARGUMENT``: invalid argument, or a map/buffer not available in this callback."""

    status = Status.BAD_ARGUMENT


class SerializationFailure(ProxyWasmError):
    """``SERIALIZATION_FAILURE``: the host could not serialize a value (e.g. a property)."""

    status = Status.SERIALIZATION_FAILURE


class ParseFailure(ProxyWasmError):
    """``PARSE_FAILURE``: the host could not parse an argument (e.g. a gRPC service)."""

    status = Status.PARSE_FAILURE


class BadExpression(ProxyWasmError):
    """``BAD_EXPRESSION``: an expression given to the host is invalid."""

    status = Status.BAD_EXPRESSION


class InvalidMemoryAccess(ProxyWasmError):
    """``INVALID_MEMORY_ACCESS``: the host could not read or write module memory."""

    status = Status.INVALID_MEMORY_ACCESS


class Empty(ProxyWasmError):
    """``EMPTY``: nothing to return (where emptiness is not ``None``)."""

    status = Status.EMPTY


class CasMismatch(ProxyWasmError):
    """``CAS_MISMATCH``: ``set_shared_data`` lost a compare-and-swap; read again and retry."""

    status = Status.CAS_MISMATCH


class ResultMismatch(ProxyWasmError):
    """``RESULT_MISMATCH``."""

    status = Status.RESULT_MISMATCH


class InternalFailure(ProxyWasmError):
    """``INTERNAL_FAILURE``: the host failed, or refused a call (restricted or not allowed)."""

    status = Status.INTERNAL_FAILURE


class BrokenConnection(ProxyWasmError):
    """``BROKEN_CONNECTION``."""

    status = Status.BROKEN_CONNECTION


class Unimplemented(ProxyWasmError):
    """``UNIMPLEMENTED``: the host does not implement this call or this variant of it."""

    status = Status.UNIMPLEMENTED


class LimitExceeded(ValueError):
    """A header map, metadata or pairs argument exceeds the host's limits.

    Raised before calling the host: Envoy would otherwise silently deserialize an empty map.
    """


class ConfigError(ValueError):
    """Plugin configuration that does not match its dataclass; ``.path`` locates the value."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class HostNotBound(RuntimeError):
    """An SDK call needed the host, but the code is not running inside a Proxy-Wasm host."""


_CLASSES: dict[int, type[ProxyWasmError]] = {
    cls.status: cls
    for cls in (
        NotFound,
        BadArgument,
        SerializationFailure,
        ParseFailure,
        BadExpression,
        InvalidMemoryAccess,
        Empty,
        CasMismatch,
        ResultMismatch,
        InternalFailure,
        BrokenConnection,
        Unimplemented,
    )
}

_HEADER_CALLS = (
    "proxy_get_header_map_pairs",
    "proxy_get_header_map_size",
    "proxy_set_header_map_pairs",
    "proxy_get_header_map_value",
    "proxy_add_header_map_value",
    "proxy_replace_header_map_value",
    "proxy_remove_header_map_value",
)
_BUFFER_CALLS = ("proxy_get_buffer_bytes", "proxy_get_buffer_status", "proxy_set_buffer_bytes")

# (call, status) -> what was wrong. Calls not listed get the per-status text below.
_REASONS: dict[tuple[str, int], str] = {
    **{
        (c, Status.BAD_ARGUMENT): "the header map is not available in this callback"
        for c in _HEADER_CALLS
    },
    ("proxy_get_buffer_bytes", Status.BAD_ARGUMENT): "start/size out of range for the buffer",
    ("proxy_set_buffer_bytes", Status.BAD_ARGUMENT): (
        "the buffer is not available in this callback, or (start, size) is not a prepend "
        "(0, 0), an append (start >= length) or a replace (0, size >= length), the only edits "
        "Envoy supports"
    ),
    ("proxy_set_buffer_bytes", Status.NOT_FOUND): "the buffer is not available in this callback",
    ("proxy_get_buffer_status", Status.NOT_FOUND): "the buffer is not available in this callback",
    ("proxy_log", Status.BAD_ARGUMENT): "invalid log level (0..5)",
    ("proxy_done", Status.NOT_FOUND): "the context is not waiting for done()",
    ("proxy_set_effective_context", Status.BAD_ARGUMENT): "unknown context id",
    ("proxy_continue_stream", Status.BAD_ARGUMENT): "the stream cannot be resumed here",
    ("proxy_continue_stream", Status.UNIMPLEMENTED): "resuming this stream type is unsupported",
    ("proxy_close_stream", Status.UNIMPLEMENTED): "closing this stream type is unsupported",
    ("proxy_send_local_response", Status.BAD_ARGUMENT): (
        "a local response cannot be sent now (response headers already sent?)"
    ),
    ("proxy_get_status", Status.NOT_FOUND): "no callout status is available in this callback",
    ("proxy_http_call", Status.BAD_ARGUMENT): (
        "unknown cluster, missing :method/:path/:authority header, or bad timeout"
    ),
    ("proxy_http_call", Status.INTERNAL_FAILURE): "the host could not start the HTTP call",
    ("proxy_grpc_call", Status.PARSE_FAILURE): "the gRPC upstream (service) could not be parsed",
    ("proxy_grpc_stream", Status.PARSE_FAILURE): "the gRPC upstream (service) could not be parsed",
    ("proxy_grpc_call", Status.BAD_ARGUMENT): "unknown cluster or bad gRPC call arguments",
    ("proxy_grpc_stream", Status.BAD_ARGUMENT): "unknown cluster or bad gRPC stream arguments",
    ("proxy_grpc_send", Status.NOT_FOUND): "unknown gRPC stream token",
    ("proxy_grpc_cancel", Status.NOT_FOUND): "unknown gRPC call or stream token",
    ("proxy_grpc_close", Status.NOT_FOUND): "unknown gRPC call or stream token",
    ("proxy_set_shared_data", Status.CAS_MISMATCH): (
        "the value changed since it was read (CAS mismatch): read it again and retry"
    ),
    ("proxy_get_shared_data", Status.BAD_ARGUMENT): "invalid shared data key",
    ("proxy_register_shared_queue", Status.BAD_ARGUMENT): "invalid queue name",
    ("proxy_enqueue_shared_queue", Status.NOT_FOUND): "unknown queue id",
    ("proxy_dequeue_shared_queue", Status.NOT_FOUND): "unknown queue id",
    ("proxy_define_metric", Status.BAD_ARGUMENT): "invalid metric type or name",
    ("proxy_increment_metric", Status.BAD_ARGUMENT): "a counter cannot be decremented",
    ("proxy_increment_metric", Status.NOT_FOUND): "unknown metric id",
    ("proxy_record_metric", Status.NOT_FOUND): "unknown metric id",
    ("proxy_record_metric", Status.BAD_ARGUMENT): "a counter cannot be recorded",
    ("proxy_get_metric", Status.NOT_FOUND): "unknown metric id",
    ("proxy_get_property", Status.SERIALIZATION_FAILURE): "the property cannot be serialized",
    ("proxy_set_property", Status.NOT_FOUND): "the property cannot be set",
    ("proxy_call_foreign_function", Status.NOT_FOUND): (
        "the host has no foreign function of that name"
    ),
}

_GENERIC: dict[int, str] = {
    Status.NOT_FOUND: "not found",
    Status.BAD_ARGUMENT: "bad argument",
    Status.SERIALIZATION_FAILURE: "the host could not serialize the value",
    Status.PARSE_FAILURE: "the host could not parse an argument",
    Status.BAD_EXPRESSION: "bad expression",
    Status.INVALID_MEMORY_ACCESS: "the host could not access module memory",
    Status.EMPTY: "empty",
    Status.CAS_MISMATCH: "CAS mismatch",
    Status.RESULT_MISMATCH: "result mismatch",
    Status.INTERNAL_FAILURE: (
        "the host failed or refused the call (calls other than proxy_log are refused while "
        "the VM starts, and capability restrictions refuse unlisted calls)"
    ),
    Status.BROKEN_CONNECTION: "broken connection",
    Status.UNIMPLEMENTED: "not implemented by this host",
}

MAP_NAMES = (  # by map type (proxy_map_type_t), for messages
    "request headers",
    "request trailers",
    "response headers",
    "response trailers",
    "gRPC initial metadata",
    "gRPC trailing metadata",
    "HTTP call response headers",
    "HTTP call response trailers",
)
_BUFFER_NAMES = (
    "request body",
    "response body",
    "downstream data",
    "upstream data",
    "HTTP call response body",
    "gRPC receive buffer",
    "VM configuration",
    "plugin configuration",
    "foreign function arguments",
)


def _status_name(status: int) -> str:
    try:
        return Status(status).name
    except ValueError:
        return f"unknown status {status}"


def status_error(status: int, call: str) -> ProxyWasmError:
    """Return the exception for ``status`` returned by the ABI import ``call``.

    The message says what was wrong, then which call returned which status, e.g.
    ``"CAS mismatch ... (proxy_set_shared_data returned CAS_MISMATCH)"``. Unknown status
    values give a plain :class:`ProxyWasmError` carrying the number.
    """
    reason = _REASONS.get((call, status)) or _GENERIC.get(status, "unexpected status")
    message = f"{reason} ({call} returned {_status_name(status)})"
    cls = _CLASSES.get(status)
    if cls is None:
        return ProxyWasmError(message, status=status, call=call)
    return cls(message, call=call)


def map_unavailable(map_type: int, call: str, status: int = Status.BAD_ARGUMENT) -> ProxyWasmError:
    """Return the error for a header map that the host refused in this callback.

    e.g. ``BadArgument("request headers are not available in this callback
    (proxy_get_header_map_value of map 0 returned BAD_ARGUMENT)")``.
    """
    what = MAP_NAMES[map_type] if 0 <= map_type < len(MAP_NAMES) else f"header map {map_type}"
    message = (
        f"{what} are not available in this callback "
        f"({call} of map {map_type} returned {_status_name(status)})"
    )
    cls = _CLASSES.get(status, ProxyWasmError)
    return cls(message, status=status, call=call)


def buffer_unavailable(
    buffer_type: int, call: str, status: int = Status.BAD_ARGUMENT
) -> ProxyWasmError:
    """Return the error for a buffer that the host refused in this callback."""
    what = (
        _BUFFER_NAMES[buffer_type]
        if 0 <= buffer_type < len(_BUFFER_NAMES)
        else f"buffer {buffer_type}"
    )
    if call == "proxy_set_buffer_bytes":
        detail = (
            f"{what} is not available in this callback, or (start, size) is not a prepend "
            "(0, 0), an append (start >= length) or a replace (0, size >= length), the only "
            "edits Envoy supports"
        )
    else:
        detail = f"{what} is not available in this callback"
    message = f"{detail} ({call} of buffer {buffer_type} returned {_status_name(status)})"
    cls = _CLASSES.get(status, ProxyWasmError)
    return cls(message, status=status, call=call)


def not_bundled(feature: str, exc: ModuleNotFoundError) -> RuntimeError:
    """The error for an SDK feature whose stdlib modules the build left out (see the README:
    they are bundled when a module of the filter mentions the feature by name)."""
    return RuntimeError(
        f"{feature} needs the module '{exc.name}', which this build did not bundle: the compiler "
        f"bundles it when one of the filter's modules names {feature} (not through getattr)"
    )
