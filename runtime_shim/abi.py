"""Proxy-Wasm ABI v0.2.1 described once: every import, every callback export, every enum.

Everything else that spells the ABI out is generated from this module by
``python -m proxy_wasm_shim.generate`` (see there for the list of files) or derived from it at
import time (``proxy_wasm_compiler.proxies``). A binding of ``_proxy_wasm_host`` (the C shim,
the null runtime's ``NullHost``, a native Envoy binding) needs, per import:

* :attr:`Import.name` -- the ``env`` import name and the Python function name;
* :attr:`Import.params` / :attr:`Import.results` -- the Python-level signature (the C/wasm
  signature follows from the value types, :meth:`Import.wasm_params`);
* :attr:`Import.absent` -- the statuses that give ``None`` instead of an exception (every other
  status but ``OK`` raises ``proxy_wasm.errors.status_error(status, name)``).

Value types (:data:`VALUE_TYPES`): ``i32``/``u32``/``i64``/``u64`` integers (a ``u32`` is
truncated to 32 bits on the way in, as the C cast does), ``bool``, ``bytes`` (a pointer and a
size), ``pairs`` (a serialized header map, pointer and size). Results are returned through
out-pointers: ``bytes`` and ``pairs`` as a host-allocated block (pointer and size out-params),
``size`` as a ``size_t``.
"""

from __future__ import annotations

from dataclasses import dataclass

ABI_VERSION = "0.2.1"

#: Value type -> wasm value types it occupies as a parameter.
VALUE_TYPES: dict[str, tuple[str, ...]] = {
    "i32": ("i32",),
    "u32": ("i32",),
    "i64": ("i64",),
    "u64": ("i64",),
    "bool": ("i32",),
    "bytes": ("i32", "i32"),
    "pairs": ("i32", "i32"),
}
#: Result type -> number of out-pointer parameters.
RESULT_TYPES: dict[str, int] = {"i32": 1, "u32": 1, "u64": 1, "size": 1, "bytes": 2, "pairs": 2}


@dataclass(frozen=True)
class Param:
    """One Python-level argument of an import."""

    name: str
    type: str


@dataclass(frozen=True)
class Result:
    """One value an import returns through out-pointers."""

    name: str
    type: str


@dataclass(frozen=True)
class Import:
    """One ``env.proxy_*`` import of ABI v0.2.1."""

    name: str
    group: str
    params: tuple[Param, ...] = ()
    results: tuple[Result, ...] = ()
    #: Status names that mean "absent": the Python call returns ``None``.
    absent: tuple[str, ...] = ()
    #: The ABI version that introduced it (0.1.0: every version has it).
    since: str = "0.1.0"
    doc: str = ""
    #: The test host's method returns the results as one tuple, ``None`` when absent
    #: (``(status, (value, cas))``) instead of ``(status, value, cas)``.
    grouped: bool = False
    #: ``shim.c`` writes the ``_proxy_wasm_host`` function by hand (it behaves specially
    #: while the snapshot is taken).
    handwritten_c: bool = False

    def python_params(self) -> str:
        """The Python parameter list, e.g. ``"self, map_type: int, key: bytes"``."""
        types = {"bytes": "bytes", "pairs": "Pairs", "bool": "bool"}
        return ", ".join(["self", *(f"{p.name}: {types.get(p.type, 'int')}" for p in self.params)])

    def python_result(self) -> str:
        """The Python result annotation, e.g. ``"bytes | None"``."""
        types = [
            {"bytes": "bytes", "pairs": "list[tuple[bytes, bytes]]"}.get(r.type, "int")
            for r in self.results
        ]
        if not types:
            return "None"
        text = types[0] if len(types) == 1 else f"tuple[{', '.join(types)}]"
        return f"{text} | None" if self.absent else text

    def absent_statuses(self) -> tuple[int, ...]:
        """The wire values of :attr:`absent`."""
        return tuple(STATUS[name] for name in self.absent)

    def wasm_params(self) -> tuple[str, ...]:
        """The import's wasm parameter types (the result is always one ``i32`` status)."""
        types = [t for p in self.params for t in VALUE_TYPES[p.type]]
        types += ["i32"] * sum(RESULT_TYPES[r.type] for r in self.results)
        return tuple(types)


@dataclass(frozen=True)
class Callback:
    """One ``proxy_on_*`` export; every parameter is an ``i32`` (read unsigned)."""

    name: str
    params: tuple[str, ...]
    #: "void", "action" (``proxy_action_t``) or "bool".
    result: str
    #: The context method whose override sets the callback's mask bit (``None``: the callback
    #: always enters Python).
    method: str | None = None
    #: What the shim returns when the bit is clear or Python fails.
    default: int = 0


def _p(spec: str) -> tuple[Param, ...]:
    """``"level:i32 message:bytes"`` -> params."""
    return tuple(Param(*item.split(":")) for item in spec.split())


def _r(spec: str) -> tuple[Result, ...]:
    return tuple(Result(*item.split(":")) for item in spec.split())


IMPORTS: tuple[Import, ...] = (
    # -- logging, clock, timers, context
    Import("proxy_log", "log", _p("level:i32 message:bytes"), handwritten_c=True),
    Import("proxy_get_log_level", "log", (), _r("level:i32"), since="0.2.1", handwritten_c=True),
    Import("proxy_get_current_time_nanoseconds", "log", (), _r("nanoseconds:u64")),
    Import("proxy_set_tick_period_milliseconds", "log", _p("period_ms:u32")),
    Import("proxy_set_effective_context", "log", _p("context_id:u32")),
    Import("proxy_done", "log"),
    # -- buffers
    Import(
        "proxy_get_buffer_bytes",
        "buffer",
        _p("buffer_type:i32 start:u32 max_size:u32"),
        _r("data:bytes"),
        absent=("NOT_FOUND",),
    ),
    Import(
        "proxy_get_buffer_status",
        "buffer",
        _p("buffer_type:i32"),
        _r("size:size flags:u32"),
        doc="Return ``(buffered_size, flags)``.",
    ),
    Import(
        "proxy_set_buffer_bytes", "buffer", _p("buffer_type:i32 start:u32 size:u32 value:bytes")
    ),
    # -- header maps
    Import("proxy_get_header_map_pairs", "map", _p("map_type:i32"), _r("pairs:pairs")),
    Import("proxy_get_header_map_size", "map", _p("map_type:i32"), _r("size:size")),
    Import("proxy_set_header_map_pairs", "map", _p("map_type:i32 pairs:pairs")),
    Import(
        "proxy_get_header_map_value",
        "map",
        _p("map_type:i32 key:bytes"),
        _r("value:bytes"),
        absent=("NOT_FOUND",),
        doc="Only the first value of a repeated header, as in Envoy.",
    ),
    Import("proxy_add_header_map_value", "map", _p("map_type:i32 key:bytes value:bytes")),
    Import("proxy_replace_header_map_value", "map", _p("map_type:i32 key:bytes value:bytes")),
    Import("proxy_remove_header_map_value", "map", _p("map_type:i32 key:bytes")),
    # -- stream control
    Import("proxy_continue_stream", "stream", _p("stream_type:i32"), since="0.2.0"),
    Import("proxy_close_stream", "stream", _p("stream_type:i32"), since="0.2.0"),
    Import(
        "proxy_send_local_response",
        "stream",
        _p("status_code:u32 details:bytes body:bytes headers:pairs grpc_status:u32"),
    ),
    Import(
        "proxy_get_status",
        "stream",
        (),
        _r("code:u32 message:bytes"),
        doc="Return ``(status_code, message)`` of the last callout (HTTP call or gRPC close).",
    ),
    # -- HTTP and gRPC callouts
    Import(
        "proxy_http_call",
        "callout",
        _p("upstream:bytes headers:pairs body:bytes trailers:pairs timeout_ms:u32"),
        _r("token:u32"),
    ),
    Import(
        "proxy_grpc_call",
        "callout",
        _p(
            "upstream:bytes service:bytes method:bytes initial_metadata:pairs message:bytes "
            "timeout_ms:u32"
        ),
        _r("token:u32"),
    ),
    Import(
        "proxy_grpc_stream",
        "callout",
        _p("upstream:bytes service:bytes method:bytes initial_metadata:pairs"),
        _r("token:u32"),
    ),
    Import("proxy_grpc_send", "callout", _p("token:u32 message:bytes end_stream:bool")),
    Import("proxy_grpc_cancel", "callout", _p("token:u32")),
    Import("proxy_grpc_close", "callout", _p("token:u32")),
    # -- shared data and queues
    Import(
        "proxy_get_shared_data",
        "shared",
        _p("key:bytes"),
        _r("value:bytes cas:u32"),
        absent=("NOT_FOUND",),
        grouped=True,
        doc="Return ``(value, cas)``.",
    ),
    Import("proxy_set_shared_data", "shared", _p("key:bytes value:bytes cas:u32")),
    Import("proxy_register_shared_queue", "shared", _p("name:bytes"), _r("queue_id:u32")),
    Import(
        "proxy_resolve_shared_queue",
        "shared",
        _p("vm_id:bytes name:bytes"),
        _r("queue_id:u32"),
        absent=("NOT_FOUND",),
    ),
    Import("proxy_enqueue_shared_queue", "shared", _p("queue_id:u32 value:bytes")),
    Import(
        "proxy_dequeue_shared_queue",
        "shared",
        _p("queue_id:u32"),
        _r("value:bytes"),
        absent=("EMPTY",),
    ),
    # -- metrics
    Import("proxy_define_metric", "metric", _p("metric_type:i32 name:bytes"), _r("metric_id:u32")),
    Import("proxy_record_metric", "metric", _p("metric_id:u32 value:u64")),
    Import("proxy_increment_metric", "metric", _p("metric_id:u32 delta:i64")),
    Import("proxy_get_metric", "metric", _p("metric_id:u32"), _r("value:u64")),
    # -- properties and foreign functions
    Import(
        "proxy_get_property",
        "property",
        _p("path:bytes"),
        _r("value:bytes"),
        absent=("NOT_FOUND",),
    ),
    Import("proxy_set_property", "property", _p("path:bytes value:bytes")),
    Import(
        "proxy_call_foreign_function",
        "property",
        _p("name:bytes arguments:bytes"),
        _r("result:bytes"),
    ),
)

#: Section titles of the import groups, in order.
GROUPS: dict[str, str] = {
    "log": "logging, clock, timers, context",
    "buffer": "buffers",
    "map": "header maps",
    "stream": "stream control",
    "callout": "HTTP and gRPC callouts",
    "shared": "shared data and queues",
    "metric": "metrics",
    "property": "properties and foreign functions",
}

# In the shim's dispatch order; the callbacks with a ``method`` get mask bits in this order.
CALLBACKS: tuple[Callback, ...] = (
    Callback("proxy_on_context_create", ("context_id", "parent_context_id"), "void"),
    Callback("proxy_on_vm_start", ("root_context_id", "vm_configuration_size"), "bool"),
    Callback("proxy_on_configure", ("root_context_id", "plugin_configuration_size"), "bool"),
    Callback("proxy_on_tick", ("root_context_id",), "void", "on_tick"),
    Callback("proxy_on_queue_ready", ("root_context_id", "queue_id"), "void", "on_queue_ready"),
    Callback(
        "proxy_on_foreign_function",
        ("root_context_id", "function_id", "arguments_size"),
        "void",
        "on_foreign_function",
    ),
    Callback("proxy_on_new_connection", ("context_id",), "action", "on_new_connection"),
    Callback(
        "proxy_on_downstream_data",
        ("context_id", "data_size", "end_of_stream"),
        "action",
        "on_downstream_data",
    ),
    Callback(
        "proxy_on_upstream_data",
        ("context_id", "data_size", "end_of_stream"),
        "action",
        "on_upstream_data",
    ),
    Callback(
        "proxy_on_downstream_connection_close",
        ("context_id", "peer_type"),
        "void",
        "on_downstream_close",
    ),
    Callback(
        "proxy_on_upstream_connection_close",
        ("context_id", "peer_type"),
        "void",
        "on_upstream_close",
    ),
    Callback(
        "proxy_on_request_headers",
        ("context_id", "num_headers", "end_of_stream"),
        "action",
        "on_http_request_headers",
    ),
    Callback(
        "proxy_on_request_body",
        ("context_id", "body_size", "end_of_stream"),
        "action",
        "on_http_request_body",
    ),
    Callback(
        "proxy_on_request_trailers",
        ("context_id", "num_trailers"),
        "action",
        "on_http_request_trailers",
    ),
    Callback(
        "proxy_on_response_headers",
        ("context_id", "num_headers", "end_of_stream"),
        "action",
        "on_http_response_headers",
    ),
    Callback(
        "proxy_on_response_body",
        ("context_id", "body_size", "end_of_stream"),
        "action",
        "on_http_response_body",
    ),
    Callback(
        "proxy_on_response_trailers",
        ("context_id", "num_trailers"),
        "action",
        "on_http_response_trailers",
    ),
    Callback("proxy_on_log", ("context_id",), "void", "on_log"),
    Callback("proxy_on_done", ("context_id",), "bool", "on_done", default=1),
    Callback("proxy_on_delete", ("context_id",), "void"),
    Callback(
        "proxy_on_http_call_response",
        ("context_id", "token", "num_headers", "body_size", "num_trailers"),
        "void",
    ),
    Callback(
        "proxy_on_grpc_receive_initial_metadata", ("context_id", "token", "num_headers"), "void"
    ),
    Callback("proxy_on_grpc_receive", ("context_id", "token", "message_size"), "void"),
    Callback(
        "proxy_on_grpc_receive_trailing_metadata", ("context_id", "token", "num_trailers"), "void"
    ),
    Callback("proxy_on_grpc_close", ("context_id", "token", "status_code"), "void"),
)

#: Other exports of every module: the ABI marker and the allocator the host calls.
OTHER_EXPORTS: tuple[str, ...] = ("proxy_abi_version_0_2_1", "proxy_on_memory_allocate")


@dataclass(frozen=True)
class Enum:
    """One ABI enumeration: ``(member, wire value)`` pairs, spec gaps kept."""

    name: str
    c_name: str
    doc: str
    members: tuple[tuple[str, int], ...]


def _e(spec: str, start: int = 0) -> tuple[tuple[str, int], ...]:
    return tuple((name, i) for i, name in enumerate(spec.split(), start))


ENUMS: tuple[Enum, ...] = (
    Enum(
        "Action",
        "proxy_action_t",
        "What a stream callback returns (``proxy_action_t``).\n\n"
        "``PAUSE`` on request/response headers stops the whole stream in default Envoy (body\n"
        "callbacks included) until the filter resumes it; on a body callback it buffers the body.",
        _e("CONTINUE PAUSE"),
    ),
    Enum(
        "LogLevel",
        "proxy_log_level_t",
        "Log levels of ``proxy_log`` (``proxy_log_level_t``).",
        _e("TRACE DEBUG INFO WARN ERROR CRITICAL"),
    ),
    Enum(
        "PeerType",
        "proxy_peer_type_t",
        "Who closed a TCP connection (``proxy_peer_type_t``).",
        _e("UNKNOWN LOCAL REMOTE"),
    ),
    Enum(
        "Status",
        "proxy_status_t",
        "Status codes returned by host calls (``proxy_status_t``, C++ ``WasmResult``).",
        _e(
            "OK NOT_FOUND BAD_ARGUMENT SERIALIZATION_FAILURE PARSE_FAILURE BAD_EXPRESSION "
            "INVALID_MEMORY_ACCESS EMPTY CAS_MISMATCH RESULT_MISMATCH INTERNAL_FAILURE "
            "BROKEN_CONNECTION UNIMPLEMENTED"
        ),
    ),
    Enum(
        "MetricType",
        "proxy_metric_type_t",
        "Kinds of metric for ``proxy_define_metric`` (``proxy_metric_type_t``).",
        _e("COUNTER GAUGE HISTOGRAM"),
    ),
    Enum(
        "BufferType",
        "proxy_buffer_type_t",
        "Buffers readable with ``proxy_get_buffer_bytes`` (``proxy_buffer_type_t``).",
        _e(
            "HTTP_REQUEST_BODY HTTP_RESPONSE_BODY DOWNSTREAM_DATA UPSTREAM_DATA "
            "HTTP_CALL_RESPONSE_BODY GRPC_RECEIVE_BUFFER VM_CONFIGURATION PLUGIN_CONFIGURATION "
            "FOREIGN_FUNCTION_ARGUMENTS"
        ),
    ),
    Enum(
        "MapType",
        "proxy_map_type_t",
        "Header maps addressed by the ``proxy_*_header_map_*`` calls (``proxy_map_type_t``).",
        _e(
            "HTTP_REQUEST_HEADERS HTTP_REQUEST_TRAILERS HTTP_RESPONSE_HEADERS "
            "HTTP_RESPONSE_TRAILERS GRPC_RECEIVE_INITIAL_METADATA GRPC_RECEIVE_TRAILING_METADATA "
            "HTTP_CALL_RESPONSE_HEADERS HTTP_CALL_RESPONSE_TRAILERS"
        ),
    ),
    Enum(
        "StreamType",
        "proxy_stream_type_t",
        "Stream directions for ``proxy_continue_stream`` / ``proxy_close_stream``.",
        _e("HTTP_REQUEST HTTP_RESPONSE DOWNSTREAM UPSTREAM"),
    ),
    Enum(
        "GrpcStatus",
        "grpc::StatusCode",
        'gRPC status codes (``grpc::StatusCode``); ``-1`` on the wire means "not gRPC".',
        _e(
            "OK CANCELLED UNKNOWN INVALID_ARGUMENT DEADLINE_EXCEEDED NOT_FOUND ALREADY_EXISTS "
            "PERMISSION_DENIED RESOURCE_EXHAUSTED FAILED_PRECONDITION ABORTED OUT_OF_RANGE "
            "UNIMPLEMENTED INTERNAL UNAVAILABLE DATA_LOSS UNAUTHENTICATED"
        ),
    ),
)

STATUS: dict[str, int] = dict(next(e for e in ENUMS if e.name == "Status").members)


def import_named(name: str) -> Import:
    """The :class:`Import` called ``name``."""
    return next(i for i in IMPORTS if i.name == name)


def optional_callbacks() -> tuple[Callback, ...]:
    """The callbacks with a mask bit, in bit order."""
    return tuple(c for c in CALLBACKS if c.method is not None)
