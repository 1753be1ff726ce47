"""The public test host: drive a filter and observe what Envoy would see.

One API, two runtimes::

    host = Host(filter="filter.py", runtime="null" | "wasm", plugin_config={"k": "v"})
    host.start()                                   # on_context_create, on_vm_start, on_configure
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/", "x-user": "a"}) == Action.CONTINUE
    assert stream.request_header("x-filter") == "1"
    stream.complete()                              # on_done, on_log, on_delete
    assert host.info_logs == ["..."]

The vocabulary follows Go's ``proxytest`` in snake_case. Semantics are Envoy's (see
``proxy_wasm.testing.emulator``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from proxy_wasm.testing import emulator as em
from proxy_wasm.testing.builder import require_builder
from proxy_wasm.types import Action

HeadersIn = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str | bytes, str | bytes]]
Runtime = Literal["null", "wasm"]


def _b(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def to_pairs(headers: HeadersIn | None) -> em.Pairs:
    """Headers from a dict or a list of pairs (str or bytes) to byte pairs."""
    if headers is None:
        return []
    items: Iterable[Any] = headers.items() if isinstance(headers, Mapping) else headers
    return [(_b(k), _b(v)) for k, v in items]


def _s(pairs: em.Pairs | None) -> list[tuple[str, str]]:
    return [(k.decode("utf-8", "replace"), v.decode("utf-8", "replace")) for k, v in pairs or []]


def _find(pairs: em.Pairs | None, name: str) -> str | None:
    key = name.lower().encode()
    for k, v in pairs or []:
        if k == key:
            return v.decode("utf-8", "replace")
    return None


def _config_bytes(config: bytes | str | Mapping[str, Any] | Sequence[Any] | None) -> bytes:
    if config is None:
        return b""
    if isinstance(config, bytes):
        return config
    if isinstance(config, str):
        return config.encode("utf-8")
    return json.dumps(config).encode("utf-8")


def _action(value: int) -> Action:
    return Action(value)


# -- HTTP streams ---------------------------------------------------------------------------------


class HttpStream:
    """One HTTP request/response through the filter (an HTTP context)."""

    def __init__(self, host: Host, state: em.HttpState) -> None:
        self.host = host
        self._state = state
        self._em: em.Emulator = host.emulator

    @property
    def context_id(self) -> int:
        """The stream's context id."""
        return self._state.context_id

    # -- drive ------------------------------------------------------------------------------------
    def send_request_headers(self, headers: HeadersIn, end_of_stream: bool = False) -> Action:
        """Deliver request headers (keys lower-cased); return the filter's action."""
        return _action(self._em.http_headers(self._state, to_pairs(headers), end_of_stream, False))

    def send_request_body(self, chunk: bytes | str, end_of_stream: bool = False) -> Action:
        """Deliver one request body chunk (buffered while the stream is paused, as in Envoy)."""
        return _action(self._em.http_body(self._state, _b(chunk), end_of_stream, False))

    def send_request_trailers(self, trailers: HeadersIn) -> Action:
        """Deliver request trailers (``proxy_on_request_trailers``); return the action."""
        return _action(self._em.http_trailers(self._state, to_pairs(trailers), False))

    def send_response_headers(self, headers: HeadersIn, end_of_stream: bool = False) -> Action:
        """Deliver response headers (``proxy_on_response_headers``); return the action."""
        return _action(self._em.http_headers(self._state, to_pairs(headers), end_of_stream, True))

    def send_response_body(self, chunk: bytes | str, end_of_stream: bool = False) -> Action:
        """Deliver a response body chunk (``proxy_on_response_body``); return the action."""
        return _action(self._em.http_body(self._state, _b(chunk), end_of_stream, True))

    def send_response_trailers(self, trailers: HeadersIn) -> Action:
        """Deliver response trailers (``proxy_on_response_trailers``); return the action."""
        return _action(self._em.http_trailers(self._state, to_pairs(trailers), True))

    def send_request(
        self, headers: HeadersIn, body: bytes | str | None = None, trailers: HeadersIn | None = None
    ) -> Action:
        """Headers, then the body as one chunk, then trailers; returns the last action."""
        eos = body is None and trailers is None
        action = self.send_request_headers(headers, eos)
        if body is not None:
            action = self.send_request_body(body, trailers is None)
        if trailers is not None:
            action = self.send_request_trailers(trailers)
        return action

    def send_response(
        self, headers: HeadersIn, body: bytes | str | None = None, trailers: HeadersIn | None = None
    ) -> Action:
        """Deliver a whole response: headers, then body and trailers if given."""
        eos = body is None and trailers is None
        action = self.send_response_headers(headers, eos)
        if body is not None:
            action = self.send_response_body(body, trailers is None)
        if trailers is not None:
            action = self.send_response_trailers(trailers)
        return action

    def complete(self) -> None:
        """The stream ends: ``proxy_on_done``, ``proxy_on_log``, ``proxy_on_delete``."""
        self._em.http_complete(self._state)

    # -- observe ----------------------------------------------------------------------------------
    @property
    def action(self) -> Action:
        """The effective action of the last callback (PAUSE while the stream is stopped)."""
        return _action(self._state.action)

    @property
    def request_headers(self) -> list[tuple[str, str]]:
        """The request headers as Envoy would forward them now."""
        return _s(self._state.request.headers)

    @property
    def request_headers_bytes(self) -> em.Pairs:
        """The request headers as Envoy would forward them, as byte pairs."""
        return list(self._state.request.headers or [])

    def request_header(self, name: str) -> str | None:
        """The first value of a request header, or None."""
        return _find(self._state.request.headers, name)

    @property
    def request_body(self) -> bytes:
        """The request body as it stands: forwarded, plus what the host holds for the filter."""
        d = self._state.request
        return bytes(d.forwarded_body + d.buffer + d.pending)

    @property
    def request_trailers(self) -> list[tuple[str, str]]:
        """The request trailers as Envoy would forward them."""
        return _s(self._state.request.trailers)

    @property
    def response_headers(self) -> list[tuple[str, str]]:
        """The response headers as Envoy would forward them."""
        return _s(self._state.response.headers)

    @property
    def response_headers_bytes(self) -> em.Pairs:
        """The response headers as Envoy would forward them, as byte pairs."""
        return list(self._state.response.headers or [])

    def response_header(self, name: str) -> str | None:
        """The first value of a response header, or None."""
        return _find(self._state.response.headers, name)

    @property
    def response_body(self) -> bytes:
        """The response body as Envoy would forward it so far."""
        d = self._state.response
        return bytes(d.forwarded_body + d.buffer + d.pending)

    @property
    def response_trailers(self) -> list[tuple[str, str]]:
        """The response trailers as Envoy would forward them."""
        return _s(self._state.response.trailers)

    @property
    def request_paused(self) -> bool:
        """True while the request direction is stopped by the filter."""
        return self._state.request.stopped is not None

    @property
    def response_paused(self) -> bool:
        """Whether the response direction is stopped by the filter."""
        return self._state.response.stopped is not None

    @property
    def local_response(self) -> em.LocalResponse | None:
        """The local reply the filter sent, if any (status, headers, body, grpc_status, details)."""
        return self._state.local_response

    @property
    def reset(self) -> bool:
        """True if the filter closed (reset) the stream."""
        return self._state.reset

    @property
    def properties(self) -> dict[tuple[str, ...], bytes]:
        """Properties the filter set on this stream (Envoy filter state)."""
        return dict(self._state.properties)


# -- TCP connections ------------------------------------------------------------------------------


class TcpConnection:
    """One TCP connection through a network filter (a stream context)."""

    def __init__(self, host: Host, state: em.TcpState) -> None:
        self.host = host
        self._state = state
        self._em: em.Emulator = host.emulator

    @property
    def context_id(self) -> int:
        """The connection's context id."""
        return self._state.context_id

    @property
    def action(self) -> Action:
        """The action the filter returned last."""
        return _action(self._state.action)

    def send_downstream_data(self, data: bytes | str, end_of_stream: bool = False) -> Action:
        """Bytes from the client; held (and cumulative) while the filter returns PAUSE."""
        return _action(self._em.tcp_data(self._state, _b(data), end_of_stream, False))

    def send_upstream_data(self, data: bytes | str, end_of_stream: bool = False) -> Action:
        """Deliver bytes from the upstream (``proxy_on_upstream_data``); return the action."""
        return _action(self._em.tcp_data(self._state, _b(data), end_of_stream, True))

    def close_downstream(self, peer: int = em.PEER_REMOTE) -> None:
        """The downstream peer closed (``proxy_on_downstream_connection_close``)."""
        self._em.tcp_close(self._state, False, peer)

    def close_upstream(self, peer: int = em.PEER_REMOTE) -> None:
        """The upstream peer closed (``proxy_on_upstream_connection_close``)."""
        self._em.tcp_close(self._state, True, peer)

    def complete(self) -> None:
        """End the connection: ``proxy_on_done``, ``proxy_on_log``, ``proxy_on_delete``."""
        self._em.tcp_complete(self._state)

    @property
    def downstream_data(self) -> bytes:
        """Client bytes forwarded upstream so far."""
        return bytes(self._state.downstream.forwarded)

    @property
    def upstream_data(self) -> bytes:
        """Upstream bytes forwarded to the client so far."""
        return bytes(self._state.upstream.forwarded)

    @property
    def closed_by_filter(self) -> list[str]:
        """The directions the filter closed (``close_downstream``/``close_upstream``)."""
        return list(self._state.closed_by_filter)


# -- callouts --------------------------------------------------------------------------------------


class HttpCallout:
    """An HTTP call the filter made; answer it with :meth:`respond` or :meth:`fail`."""

    def __init__(self, host: Host, record: em.PendingHttpCall) -> None:
        self.host = host
        self.record = record

    token = property(
        lambda self: self.record.token, doc="The call's token (as returned to the filter)."
    )
    upstream = property(
        lambda self: self.record.upstream,
        doc="The cluster (or serialized GrpcService) the call goes to.",
    )
    body = property(lambda self: self.record.body, doc="The callout's request body.")
    timeout_ms = property(
        lambda self: self.record.timeout_ms, doc="The timeout the filter gave, in milliseconds."
    )
    context_id = property(
        lambda self: self.record.context_id, doc="The context that dispatched the call."
    )
    answered = property(
        lambda self: self.record.answered, doc="Whether the test has answered the call."
    )

    @property
    def headers(self) -> list[tuple[str, str]]:
        """The callout's request headers."""
        return _s(self.record.headers)

    @property
    def trailers(self) -> list[tuple[str, str]]:
        """The callout's request trailers."""
        return _s(self.record.trailers)

    def header(self, name: str) -> str | None:
        """The first value of one of the callout's request headers, or None."""
        return self.record.header(name)

    def respond(
        self,
        headers: HeadersIn | None = None,
        body: bytes | str = b"",
        trailers: HeadersIn | None = None,
    ) -> None:
        """Deliver the response (``proxy_on_http_call_response`` on the root context)."""
        hs = to_pairs(headers) if headers is not None else [(b":status", b"200")]
        self.host.emulator.answer_http_call(self.record.token, hs, _b(body), to_pairs(trailers))

    def fail(self) -> None:
        """The call failed or timed out: the filter sees zero headers."""
        self.host.emulator.fail_http_call(self.record.token)

    def __repr__(self) -> str:
        return (
            f"HttpCallout(token={self.token}, upstream={self.upstream!r}, headers={self.headers})"
        )


class GrpcCall:
    """A gRPC unary call or stream the filter opened; answer it from the test."""

    def __init__(self, host: Host, record: em.PendingGrpcCall) -> None:
        self.host = host
        self.record = record

    token = property(
        lambda self: self.record.token, doc="The call's token (as returned to the filter)."
    )
    kind = property(lambda self: self.record.kind, doc="``unary`` or ``stream``.")
    service = property(lambda self: self.record.service, doc="The gRPC service name.")
    method = property(lambda self: self.record.method, doc="The gRPC method name.")
    upstream = property(
        lambda self: self.record.upstream,
        doc="The cluster (or serialized GrpcService) the call goes to.",
    )
    timeout_ms = property(
        lambda self: self.record.timeout_ms, doc="The timeout the filter gave, in milliseconds."
    )
    cancelled = property(
        lambda self: self.record.cancelled, doc="Whether the filter cancelled the call."
    )
    local_closed = property(
        lambda self: self.record.local_closed,
        doc="Whether the filter closed its side of the stream.",
    )

    @property
    def messages(self) -> list[bytes]:
        """Messages the filter sent (a unary call: its one request)."""
        return list(self.record.messages)

    @property
    def initial_metadata(self) -> list[tuple[str, str]]:
        """The initial metadata the filter sent."""
        return _s(self.record.initial_metadata)

    def send_initial_metadata(self, metadata: HeadersIn) -> None:
        """Deliver initial metadata from the server (``proxy_on_grpc_receive_initial_metadata``)."""
        self.host.emulator.grpc_initial_metadata(self.token, to_pairs(metadata))

    def send_message(self, message: bytes) -> None:
        """Deliver one message from the server (``proxy_on_grpc_receive``)."""
        self.host.emulator.grpc_message(self.token, message)

    def send_trailing_metadata(self, metadata: HeadersIn) -> None:
        """Deliver trailing metadata from the server (``on_grpc_receive_trailing_metadata``)."""
        self.host.emulator.grpc_trailing_metadata(self.token, to_pairs(metadata))

    def close(self, status: int = 0, message: bytes | str = b"") -> None:
        """The server ends the call: ``proxy_on_grpc_close(status)``."""
        self.host.emulator.grpc_close_remote(self.token, status, _b(message))

    def respond(
        self,
        message: bytes | None = None,
        *,
        status: int = 0,
        status_message: bytes | str = b"",
        initial_metadata: HeadersIn | None = None,
        trailing_metadata: HeadersIn | None = None,
    ) -> None:
        """Answer a unary call: metadata, the message (if any), trailing metadata, close."""
        if initial_metadata is not None:
            self.send_initial_metadata(initial_metadata)
        if message is not None:
            self.send_message(message)
        if trailing_metadata is not None:
            self.send_trailing_metadata(trailing_metadata)
        self.close(status, status_message)


class QueueView:
    """A shared queue by name: its content, and enqueueing from the test."""

    def __init__(self, host: Host, queue: em.Queue) -> None:
        self.host = host
        self.queue = queue

    @property
    def id(self) -> int:
        """The queue's id."""
        return self.queue.queue_id

    @property
    def items(self) -> list[bytes]:
        """The values waiting in the queue, oldest first."""
        return list(self.queue.items)

    def __len__(self) -> int:
        return len(self.queue.items)

    def enqueue(self, value: bytes | str) -> None:
        """Enqueue as another VM would; ``proxy_on_queue_ready`` reaches the registrant."""
        self.host.emulator.proxy_enqueue_shared_queue(self.queue.queue_id, _b(value))


# -- the host --------------------------------------------------------------------------------------


class Host:
    """An emulated Proxy-Wasm host running one filter in the null or wasm runtime."""

    def __init__(
        self,
        filter: str | Path | ModuleType,
        *,
        runtime: Runtime = "null",
        plugin_config: bytes | str | Mapping[str, Any] | Sequence[Any] | None = None,
        vm_config: bytes | str | Mapping[str, Any] | Sequence[Any] | None = None,
        properties: Mapping[Sequence[str] | str, bytes | str] | None = None,
        clusters: Sequence[str] | None = None,
        allow_on_headers_stop_iteration: bool = False,
        plugin_name: str = "plugin",
        root_id: str = "",
        vm_id: str = "",
        log_level: int = em.TRACE,
        shared: em.SharedState | Host | None = None,
        start_time_ns: int | None = None,
        echo_logs: bool | Callable[[int, str], None] = False,
        environment: Mapping[str, str] | None = None,
        native_imports: bool = False,
    ) -> None:
        """``native_imports``: the filter may import C extensions (null runtime only: it runs
        natively in Envoy, never as Wasm); otherwise its imports are checked as the build does."""
        if runtime not in ("null", "wasm"):
            raise ValueError(f"runtime must be 'null' or 'wasm', not {runtime!r}")
        props: dict[tuple[str, ...], bytes] = {}
        for key, value in (properties or {}).items():
            path = tuple(key.split(".")) if isinstance(key, str) else tuple(key)
            props[path] = _b(value)
        echo: Callable[[int, str], None] | None = None
        if echo_logs is True:
            echo = _print_log
        elif callable(echo_logs):
            echo = echo_logs
        self.runtime: Runtime = runtime
        self.emulator: em.Emulator = em.Emulator(
            plugin_name=plugin_name,
            root_id=root_id,
            vm_id=vm_id,
            vm_config=_config_bytes(vm_config),
            plugin_config=_config_bytes(plugin_config),
            properties=props,
            clusters=clusters,
            allow_on_headers_stop_iteration=allow_on_headers_stop_iteration,
            log_level=log_level,
            shared=shared.emulator.shared if isinstance(shared, Host) else shared,
            start_time_ns=start_time_ns,
            echo_logs=echo,
        )
        self.module: ModuleType | None = None
        self.wasm_path: Path | None = None
        if runtime == "null":
            if isinstance(filter, (str, Path)) and str(filter).endswith(".wasm"):
                raise ValueError("a .wasm file runs only in the wasm runtime")
            from proxy_wasm.testing import null_runtime

            # The filter shares this process: its os.environ is the test's, plus ``environment``.
            os.environ.update(environment or {})
            self.module = null_runtime.load(self.emulator, filter, check=not native_imports)
        else:
            from proxy_wasm.testing import wasm_runtime

            self.wasm_path = _wasm_for(filter)
            self.emulator.guest = wasm_runtime.WasmGuest(
                self.emulator, self.wasm_path, environment=dict(environment or {})
            )
        self.root_context_id = 0

    # -- plugin lifecycle ------------------------------------------------------------------------
    def start_vm(self) -> bool:
        """Create the root context and call ``proxy_on_vm_start``; return its result."""
        if self.root_context_id == 0:
            self.root_context_id = self.emulator.create_root()
        return self.emulator.vm_start(self.root_context_id)

    def start_plugin(self) -> bool:
        """Call ``proxy_on_configure`` with the plugin configuration; return its result."""
        if self.root_context_id == 0:
            self.root_context_id = self.emulator.create_root()
        return self.emulator.configure(self.root_context_id)

    def start(self) -> bool:
        """:meth:`start_vm` then :meth:`start_plugin`; True if both accepted."""
        return self.start_vm() and self.start_plugin()

    def finish_vm(self) -> bool:
        """Plugin shutdown: ``proxy_on_done`` and, when it returns true, ``proxy_on_delete``."""
        return self.emulator.finish_root(self._root())

    def _root(self) -> int:
        if self.root_context_id == 0:
            raise RuntimeError("the plugin is not started: call host.start() first")
        return self.root_context_id

    # -- streams ----------------------------------------------------------------------------------
    def http_stream(self) -> HttpStream:
        """A new HTTP context (``proxy_on_context_create``)."""
        return HttpStream(self, self.emulator.new_http(self._root()))

    def tcp_connection(self) -> TcpConnection:
        """A new TCP context: ``proxy_on_context_create`` then ``proxy_on_new_connection``."""
        return TcpConnection(self, self.emulator.new_tcp(self._root()))

    # -- time -------------------------------------------------------------------------------------
    @property
    def tick_period_ms(self) -> int:
        """The tick period the filter set, in milliseconds (0: no ticks)."""
        root = self.emulator.roots.get(self.root_context_id)
        return root.tick_period_ms if root else 0

    def tick(self) -> None:
        """Deliver ``proxy_on_tick`` now (the filter must have set a tick period)."""
        if not self.tick_period_ms:
            raise RuntimeError("the filter has not set a tick period (set_tick_period)")
        self.emulator.tick(self._root())

    def advance_time(self, seconds: float) -> None:
        """Move the clock; ticks and callout timeouts that fall due are delivered in order."""
        self.emulator.advance_time(int(seconds * 1_000_000_000))

    @property
    def now_ns(self) -> int:
        """The emulated clock, in nanoseconds since the epoch."""
        return self.emulator.now_ns

    # -- logs ------------------------------------------------------------------------------------
    def logs(self, level: int | None = None) -> list[str]:
        """Log messages (all, or of one level), in order."""
        return [m for lv, m in self.emulator.logs if level is None or lv == level]

    @property
    def log_records(self) -> list[tuple[int, str]]:
        """Every log entry as ``(level, message)``, oldest first."""
        return list(self.emulator.logs)

    trace_logs = property(
        lambda self: self.logs(em.TRACE), doc="The messages logged at trace level, oldest first."
    )
    debug_logs = property(
        lambda self: self.logs(em.DEBUG), doc="The messages logged at debug level, oldest first."
    )
    info_logs = property(
        lambda self: self.logs(em.INFO), doc="The messages logged at info level, oldest first."
    )
    warn_logs = property(
        lambda self: self.logs(em.WARN), doc="The messages logged at warn level, oldest first."
    )
    error_logs = property(
        lambda self: self.logs(em.ERROR), doc="The messages logged at error level, oldest first."
    )
    critical_logs = property(
        lambda self: self.logs(em.CRITICAL),
        doc="The messages logged at critical level, oldest first.",
    )

    def clear_logs(self) -> None:
        """Forget the log entries recorded so far."""
        self.emulator.logs.clear()

    # -- metrics -----------------------------------------------------------------------------------
    def metric(self, name: str) -> int:
        """A counter's or gauge's value by name (KeyError if never defined)."""
        m = self.emulator.metrics.get(name)
        if m is None:
            raise KeyError(f"no metric named {name!r}; defined: {sorted(self.emulator.metrics)}")
        return m.value if m.type != em.HISTOGRAM else len(m.values)

    def histogram(self, name: str) -> list[int]:
        """The values recorded in a histogram."""
        return list(self.emulator.metrics[name].values)

    @property
    def metrics(self) -> dict[str, int | list[int]]:
        """Every metric by name: ``{name: value}``."""
        return {
            n: (list(m.values) if m.type == em.HISTOGRAM else m.value)
            for n, m in self.emulator.metrics.items()
        }

    # -- shared data and queues -------------------------------------------------------------------
    @property
    def shared_data(self) -> dict[bytes, tuple[bytes, int]]:
        """Shared data of this VM id: key -> (value, cas)."""
        vm = self.emulator.vm_id
        return {k: v for (v_id, k), v in self.emulator.shared.data.items() if v_id == vm}

    def set_shared_data(self, key: bytes | str, value: bytes | str) -> None:
        """Store a shared-data value as another worker or plugin would (new CAS)."""
        self.emulator.proxy_set_shared_data(_b(key), _b(value), 0)

    def queue(self, name: str, vm_id: str | None = None) -> QueueView:
        """A shared queue by name (KeyError if nobody registered it)."""
        key = (self.emulator.vm_id if vm_id is None else vm_id, name)
        qid = self.emulator.shared.queue_names.get(key)
        if qid is None:
            raise KeyError(f"no shared queue named {name!r}")
        return QueueView(self, self.emulator.shared.queues[qid])

    # -- callouts ----------------------------------------------------------------------------------
    def http_callouts(self, pending: bool = True) -> list[HttpCallout]:
        """HTTP calls the filter made (by default only those not answered yet)."""
        return [
            HttpCallout(self, c)
            for c in self.emulator.callouts.values()
            if not (pending and c.answered)
        ]

    def grpc_calls(self, pending: bool = True) -> list[GrpcCall]:
        """gRPC calls and streams the filter opened (by default those not closed yet)."""
        return [
            GrpcCall(self, g)
            for g in self.emulator.grpc_calls.values()
            if not (pending and (g.finished or g.cancelled))
        ]

    def register_foreign_function(self, name: str, fn: Callable[[bytes], bytes]) -> None:
        """Make ``proxy_call_foreign_function(name, args)`` return ``fn(args)``."""
        self.emulator.foreign_functions[name] = fn

    def call_foreign_function(self, function_id: int, arguments: bytes | str = b"") -> None:
        """The host calls the filter: ``proxy_on_foreign_function(root, id, size)``."""
        self.emulator.foreign_function_callback(self._root(), function_id, _b(arguments))

    @property
    def route_cache_cleared(self) -> int:
        """How many times the filter called the ``clear_route_cache`` foreign function."""
        return self.emulator.route_cache_cleared

    # -- properties --------------------------------------------------------------------------------
    def set_property(self, path: Sequence[str] | str, value: bytes | str) -> None:
        """Set a property the filter can read (a dotted path or a list of segments)."""
        key = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        self.emulator.properties[key] = _b(value)

    def get_property(self, path: Sequence[str] | str) -> bytes | None:
        """What the filter would read at ``path`` from the root context."""
        key = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
        saved = self.emulator.effective_id
        self.emulator.effective_id = self.root_context_id
        try:
            _, value = self.emulator.proxy_get_property(b"\0".join(p.encode() for p in key))
        finally:
            self.emulator.effective_id = saved
        return value

    @property
    def properties_written(self) -> dict[tuple[str, ...], bytes]:
        """Every property the filter set (any context), by path."""
        return dict(self.emulator.written_properties)

    @property
    def vm_failed(self) -> str | None:
        """The trap message if the module trapped (Envoy then fails every callback)."""
        return self.emulator.vm_failed


def _print_log(level: int, message: str) -> None:
    print(f"[{em.LEVEL_NAMES[level]}] {message}")


def _wasm_for(filter: str | Path | ModuleType) -> Path:
    """A ``.wasm`` path as is; a filter module or ``.py`` built by the builder (cached)."""
    if isinstance(filter, ModuleType):
        if not filter.__file__:
            raise ValueError(f"module {filter.__name__} has no file to build")
        filter = filter.__file__
    path = Path(filter)
    if path.suffix == ".wasm":
        return path
    builder = require_builder(path)
    import hashlib

    base = os.environ.get("PROXY_WASM_CACHE") or str(Path.home() / ".cache" / "proxy-wasm-python")
    key = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    output = Path(base) / "test-host" / f"{path.stem}-{key}.wasm"
    output.parent.mkdir(parents=True, exist_ok=True)
    return builder.build(path, output)
