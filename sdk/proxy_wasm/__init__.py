"""Write Envoy Proxy-Wasm filters in Python.

::

    import proxy_wasm
    from proxy_wasm import Action, HttpContext

    class AddHeader(HttpContext):
        def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
            self.set_http_request_header("x-hello", "world")
            return Action.CONTINUE

    proxy_wasm.set_http_context(AddHeader)

Submodules: :mod:`proxy_wasm.log` (logging), :mod:`proxy_wasm.properties` (typed Envoy
attributes), :mod:`proxy_wasm.errors` (the exception tree), :mod:`proxy_wasm.metrics`,
:mod:`proxy_wasm.config`, :mod:`proxy_wasm.headers`, :mod:`proxy_wasm.types`,
:mod:`proxy_wasm.grpc`, :mod:`proxy_wasm.protobuf` (wire-format writers).
"""

from __future__ import annotations

from . import log, properties
from ._dispatch import (
    set_exception_policy,
    set_http_context,
    set_root_context,
    set_stream_context,
)
from .config import load_config
from .context import BaseContext, HttpContext, RootContext, StreamContext
from .errors import (
    BadArgument,
    CasMismatch,
    ConfigError,
    HostNotBound,
    LimitExceeded,
    NotFound,
    ProxyWasmError,
)
from .grpc import grpc_service
from .headers import Headers
from .metrics import Counter, Gauge, Histogram
from .types import (
    Action,
    BufferType,
    ExceptionPolicy,
    GrpcStatus,
    LogLevel,
    MapType,
    MetricType,
    PeerType,
    Status,
    StreamType,
)

__version__ = "0.1.0"  # the one version source (pyproject reads it)

__all__ = [
    "Action",
    "BadArgument",
    "BaseContext",
    "BufferType",
    "CasMismatch",
    "ConfigError",
    "Counter",
    "ExceptionPolicy",
    "Gauge",
    "GrpcStatus",
    "Headers",
    "Histogram",
    "HostNotBound",
    "HttpContext",
    "LimitExceeded",
    "LogLevel",
    "MapType",
    "MetricType",
    "NotFound",
    "PeerType",
    "ProxyWasmError",
    "RootContext",
    "Status",
    "StreamContext",
    "StreamType",
    "grpc_service",
    "load_config",
    "log",
    "properties",
    "set_exception_policy",
    "set_http_context",
    "set_root_context",
    "set_stream_context",
]
