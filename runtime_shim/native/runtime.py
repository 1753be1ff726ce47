"""Drives the SDK dispatcher (contract 2) from Envoy's dynamic-module events.

``pw_native.c`` calls :func:`new_plugin` once per Envoy filter configuration (main thread), then
one :class:`Plugin` method per Envoy event, with the GIL held and the stream current. Context ids
are allocated here, as Envoy-Wasm does: one root context per filter configuration
(``proxy_on_context_create``, ``proxy_on_vm_start``, ``proxy_on_configure``), one context per HTTP
stream. As in Envoy-Wasm, local replies and stream resumption asked for inside a callback run
after the callback returns (``after_call``).

State shared by every filter configuration of the process (shared data, queues, metrics) lives
in the one :class:`Runtime`, guarded by the GIL.
"""

from __future__ import annotations

import importlib.util
import itertools
import sys
import threading
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import _proxy_wasm_envoy as envoy

from proxy_wasm import _dispatch, _host, _state
from proxy_wasm._hostabi import Pairs, callback_bit
from proxy_wasm.context import BaseContext
from proxy_wasm.errors import ProxyWasmError, status_error
from proxy_wasm.metrics import Metric
from proxy_wasm.types import Status

from .binding import EnvoyHost
from .config import NativeConfig
from .host import EnvoyCalls

# Envoy filter statuses
_CONTINUE = 0
_STOP_ITERATION = 1
_STOP_ALL_ITERATION_AND_WATERMARK = 4
_STOP_NO_BUFFER = 3
_LOG_ERROR, _LOG_CRITICAL = 4, 5
_TICK = 1  # main-thread event
_LOG_BIT, _DONE_BIT = callback_bit("proxy_on_log"), callback_bit("proxy_on_done")
_RESUME_REQUEST, _RESUME_RESPONSE = 1, 2  # stream events
_REMOTE_CLOSE, _LOCAL_CLOSE = 0, 1  # Envoy connection events
_PEER_LOCAL, _PEER_REMOTE = 1, 2  # Proxy-Wasm PeerType


class _Call:
    """The callback running on this thread (saved and restored around nested callbacks)."""

    __slots__ = (
        "actions",
        "body",
        "call_response",
        "call_status",
        "configuration",
        "context_id",
        "entered",
        "network",
        "pointer",
        "replied",
        "vm",
    )

    def __init__(
        self,
        context_id: int = 0,
        pointer: int = 0,
        *,
        body: int = -1,
        configuration: bytes | None = None,
        vm: bool = False,
        network: bool = False,
    ) -> None:
        self.context_id = context_id
        self.pointer = pointer
        self.network = network  # a TCP connection, not an HTTP stream
        self.body = body  # the Proxy-Wasm body buffer type readable now, or -1
        # the context whose Envoy event this is (-2: a root context's)
        self.entered = context_id if pointer else -2
        self.configuration = configuration
        self.vm = vm
        self.call_response: tuple[list[tuple[bytes, bytes]], bytes] | None = None
        self.call_status: tuple[int, bytes] | None = None
        self.replied = False
        self.actions: list[Callable[[], None]] = []


_IDLE = _Call()


class Runtime:
    """Process-wide state of the native runtime (one per embedded interpreter)."""

    def __init__(self) -> None:
        self.filter_path: Path | None = None
        self.module: ModuleType | None = None
        self.ids = itertools.count(1)
        self.local = threading.local()
        self.streams: dict[int, int] = {}  # context id -> Envoy filter pointer
        self.schedulers: dict[int, int] = {}  # context id -> its worker's scheduler
        self.connections: set[int] = set()  # context ids of TCP connections
        self.roots: dict[int, Plugin] = {}
        self.stream_roots: dict[int, int] = {}
        self.shared_data: dict[bytes, tuple[bytes, int]] = {}
        self.cas_counter = itertools.count(1)
        self.queues: dict[int, deque[bytes]] = {}
        self.queue_ids: dict[bytes, int] = {}
        self.queue_owner: dict[int, int] = {}
        self.metrics: dict[int, tuple[int, int, int]] = {}  # id -> (kind, envoy id, config)
        self.metric_values: dict[int, int] = {}
        self.metric_names: dict[int, bytes] = {}
        self.calls: dict[tuple[int, int], int] = {}  # (context id, callout id) -> token
        self.tokens = itertools.count(1)
        self.host = EnvoyHost(EnvoyCalls(self))

    # -- the callback running on this thread --------------------------------------------------
    @property
    def call(self) -> _Call:
        """The callback running on this thread (an idle one outside callbacks)."""
        try:
            current: _Call = self.local.call
        except AttributeError:
            current = self.local.call = _Call()
        return current

    def run(self, call: _Call, name: str, *args: int) -> int:
        """Run dispatcher function ``name`` with ``call`` current; then its deferred actions."""
        local = self.local
        saved: _Call = getattr(local, "call", _IDLE)
        local.call = call
        try:
            result = getattr(_dispatch, name)(*args)
            for action in call.actions:
                action()
            return 0 if result is None else int(result)
        finally:
            local.call = saved
            if saved.pointer:
                envoy.set_current(saved.pointer, saved.network)

    def after_call(self, action: Callable[[], None]) -> bool:
        """Run ``action`` once the current callback returns; false outside a stream."""
        call = self.call
        if not call.pointer:
            return False
        call.actions.append(action)
        return True

    def resume(self, response: bool) -> bool:
        """Resume the current stream: after this callback on its own worker, else through the
        stream's scheduler (a tick or another stream's callback asked)."""
        call = self.call
        if not call.pointer:
            return False
        if call.network:
            if call.context_id != call.entered:
                return False  # a connection resumes from its own callbacks only
            call.actions.append(envoy.net_continue)
            return True
        if call.context_id == call.entered:
            call.actions.append(lambda: envoy.continue_stream(response))
            return True
        scheduler = self.schedulers.get(call.context_id)
        if not scheduler:
            return False
        envoy.schedule(scheduler, _RESUME_RESPONSE if response else _RESUME_REQUEST)
        return True

    def has_stream(self) -> bool:
        """Return whether an HTTP stream is current."""
        call = self.call
        return bool(call.pointer) and not call.network

    def has_connection(self) -> bool:
        """Return whether a TCP connection is current."""
        call = self.call
        return bool(call.pointer) and call.network

    def in_body(self, buffer_type: int) -> bool:
        """Return whether body buffer ``buffer_type`` (0 request, 1 response) is readable now."""
        return self.call.body == buffer_type

    def configuration(self, vm: bool) -> bytes | None:
        """The VM or plugin configuration, during ``on_vm_start`` / ``on_configure``."""
        call = self.call
        return call.configuration if call.vm == vm else None

    def call_response(self) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """The HTTP call response, during ``on_http_call_response``."""
        return self.call.call_response

    def call_status(self) -> tuple[int, bytes] | None:
        """``(status code, message)`` of the HTTP call being answered."""
        return self.call.call_status

    def set_effective_context(self, context_id: int) -> bool:
        """Make ``context_id`` current (its stream, for stream calls)."""
        if context_id in self.roots:
            self.call.context_id, self.call.pointer = context_id, 0
            return True
        pointer = self.streams.get(context_id)
        if pointer is None:
            return False
        call = self.call
        call.context_id, call.pointer = context_id, pointer
        call.network = context_id in self.connections
        envoy.set_current(pointer, call.network)
        return True

    def send_local_response(self, code: int, headers: Pairs, body: bytes, details: bytes) -> bool:
        """Send a local reply on the current stream once the callback returns."""
        call = self.call
        if not call.pointer or call.replied:
            return False
        call.replied = True
        pointer = call.pointer

        def send() -> None:
            envoy.set_current(pointer)
            envoy.send_response(code, headers, body, details)

        call.actions.append(send)
        return True

    # -- HTTP callouts ------------------------------------------------------------------------
    def http_call(
        self, upstream: bytes, headers: Pairs, body: bytes, timeout_ms: int
    ) -> int | None:
        """Start an HTTP callout from the current stream; return its token (None: refused)."""
        call = self.call
        if not call.pointer and threading.current_thread() is not threading.main_thread():
            raise status_error(Status.UNIMPLEMENTED, "proxy_http_call off Envoy's threads")
        pairs = [(bytes(k).lower(), bytes(v)) for k, v in headers]
        if not any(k == b"host" for k, _ in pairs):
            authority = next((v for k, v in pairs if k == b":authority"), None)
            if authority is not None:
                pairs.append((b"host", authority))
        _rc, callout_id = envoy.http_callout(upstream, pairs, body, max(timeout_ms, 1))
        if callout_id is None:
            return None
        token = next(self.tokens)
        self.calls[call.context_id, callout_id] = token
        return token

    # -- shared queues ------------------------------------------------------------------------
    def register_queue(self, name: bytes) -> int:
        """Register (or re-register) queue ``name`` for the current root context."""
        queue_id = self.queue_ids.get(name)
        if queue_id is None:
            queue_id = self.queue_ids[name] = len(self.queue_ids) + 1
            self.queues[queue_id] = deque()
        self.queue_owner[queue_id] = self.call.context_id
        return queue_id

    def enqueue(self, queue_id: int, value: bytes) -> bool:
        """Append to a queue; its owner's ``on_queue_ready`` runs after this callback."""
        queue = self.queues.get(queue_id)
        if queue is None:
            return False
        queue.append(value)
        owner = self.queue_owner.get(queue_id)
        if owner in self.roots:
            plugin = self.roots[owner]

            def notify() -> None:
                plugin.root_event("proxy_on_queue_ready", queue_id)

            if not self.after_call(notify):
                notify()
        return True

    # -- metrics ------------------------------------------------------------------------------
    def define_metric(self, kind: int, name: bytes) -> int | None:
        """Define an Envoy stat (only while Envoy loads the configuration); return its id."""
        for metric_id, (k, _, _) in self.metrics.items():
            if k == kind and self.metric_names.get(metric_id) == name:
                return metric_id
        rc, envoy_id = envoy.define_metric(kind, name)
        if rc != 0:
            return None
        metric_id = len(self.metrics) + 1
        self.metrics[metric_id] = (kind, envoy_id, 0)
        self.metric_names[metric_id] = name
        self.metric_values[metric_id] = 0
        return metric_id

    def update_metric(self, metric_id: int, op: int, value: int) -> bool:
        """op 0: record (set), op 1: increment by ``value`` (may be negative for gauges)."""
        metric = self.metrics.get(metric_id)
        if metric is None:
            return False
        kind, envoy_id, _ = metric
        old = self.metric_values[metric_id]
        new = value if op == 0 else old + value
        if kind == 0:  # counter: Envoy counters only grow
            if new > old:
                envoy.update_metric(0, envoy_id, new - old)
        elif kind == 1:
            envoy.update_metric(3, envoy_id, max(new, 0))
        else:
            envoy.update_metric(4, envoy_id, value)
        self.metric_values[metric_id] = new
        return True

    # -- properties ---------------------------------------------------------------------------
    def plugin_property(self, path: bytes) -> bytes | None:
        """``plugin_name``, ``plugin_root_id``, ``plugin_vm_id`` of the current plugin."""
        plugin = self.roots.get(self.stream_roots.get(self.call.context_id, self.call.context_id))
        if plugin is None:
            return None
        config = plugin.config
        fixed = {
            b"plugin_name": config.plugin_name,
            b"plugin_root_id": config.root_id,
            b"plugin_vm_id": config.vm_id,
        }
        value = fixed.get(path)
        return None if value is None else value.encode()

    def log_prefix(self) -> bytes:
        """``wasm log <plugin name> <root id> <vm id>: `` as Envoy-Wasm writes it (same parsers)."""
        plugin = self.roots.get(self.stream_roots.get(self.call.context_id, self.call.context_id))
        if plugin is None:
            return b"wasm log: "
        return plugin.log_prefix

    # -- ticks --------------------------------------------------------------------------------
    def set_tick_period(self, period_ms: int) -> None:
        """Tick the current root context every ``period_ms`` (0 stops) from a Python thread."""
        plugin = self.roots.get(self.call.context_id)
        if plugin is not None:
            plugin.set_tick_period(period_ms)

    # -- loading ------------------------------------------------------------------------------
    def load(self, config: NativeConfig) -> None:
        """Import the filter (once per process: the SDK's dispatcher is process-global)."""
        path = Path(config.filter).resolve()
        if self.filter_path is not None:
            if path != self.filter_path:
                raise NativeUnsupported(
                    f"one filter per Envoy process: {self.filter_path} is loaded, not {path}"
                )
            return
        _dispatch.reset()
        _host.bind(self.host)
        folder = str(path.parent)
        if folder not in sys.path:
            sys.path.insert(0, folder)
        name = f"_proxy_wasm_filter_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        refuse_grpc(module)
        self.filter_path, self.module = path, module


class NativeUnsupported(RuntimeError):
    """A feature the dynamic-module ABI cannot serve (refused at load, one log line)."""


def refuse_grpc(module: ModuleType) -> None:
    """Refuse a filter whose contexts handle gRPC callouts: Envoy's dynamic-module ABI has none."""
    for value in vars(module).values():
        if not (isinstance(value, type) and issubclass(value, BaseContext)):
            continue
        for klass in value.__mro__:
            if klass.__module__.startswith("proxy_wasm"):
                break
            handler = next((n for n in vars(klass) if n.startswith("on_grpc_")), None)
            if handler is not None:
                raise NativeUnsupported(
                    f"{value.__name__}.{handler}: gRPC callouts are not served by the native "
                    "runtime (Envoy's dynamic-module ABI has none)"
                )


RUNTIME = Runtime()


class Plugin:
    """One Envoy filter configuration: a root context and the streams it creates."""

    def __init__(self, config: NativeConfig, config_pointer: int) -> None:
        self.config = config
        self.config_pointer = config_pointer
        self.root_id = next(RUNTIME.ids)
        self._tick_stop: threading.Event | None = None
        parts = " ".join(p for p in (config.plugin_name, config.root_id, config.vm_id) if p)
        self.log_prefix = f"wasm log{' ' + parts if parts else ''}: ".encode()
        RUNTIME.roots[self.root_id] = self

    def start(self) -> bool:
        """Create the root context; ``on_vm_start`` then ``on_configure`` (false: refused)."""
        rt = RUNTIME
        rt.run(_Call(context_id=self.root_id), "proxy_on_context_create", self.root_id, 0)
        vm = self.config.vm_config.encode()
        call = _Call(context_id=self.root_id, configuration=vm, vm=True)
        if not rt.run(call, "proxy_on_vm_start", self.root_id, len(vm)):
            envoy.log(_LOG_CRITICAL, b"proxy-wasm-python native: on_vm_start returned false")
            return False
        plugin = self.config.plugin_config.encode()
        call = _Call(context_id=self.root_id, configuration=plugin)
        if not rt.run(call, "proxy_on_configure", self.root_id, len(plugin)):
            envoy.log(_LOG_CRITICAL, b"proxy-wasm-python native: on_configure returned false")
            return False
        define_module_metrics(rt.module)
        return True

    def root_event(self, name: str, *args: int) -> None:
        """Deliver a root-context callback (tick, queue ready)."""
        RUNTIME.run(_Call(context_id=self.root_id), name, self.root_id, *args)

    def set_tick_period(self, period_ms: int) -> None:
        """(Re)start the tick thread; 0 stops it."""
        if self._tick_stop is not None:
            self._tick_stop.set()
            self._tick_stop = None
        if period_ms <= 0:
            return
        stop = self._tick_stop = threading.Event()
        pointer = self.config_pointer

        def tick() -> None:
            # Only sleeps: the tick itself runs on Envoy's main thread (on_config_scheduled).
            envoy.set_current_config(pointer)
            while not stop.wait(period_ms / 1000):
                if not stop.is_set():  # checked under the GIL: close() deletes the scheduler
                    envoy.config_schedule(_TICK)

        threading.Thread(target=tick, name=f"proxy-wasm-tick-{self.root_id}", daemon=True).start()

    # -- stream events (called by pw_native.c) ------------------------------------------------
    def on_config_scheduled(self, event_id: int) -> None:
        """A main-thread event: the tick."""
        if event_id == _TICK and self._tick_stop is not None:
            self.root_event("proxy_on_tick")

    def new_stream(self, pointer: int, scheduler: int = 0) -> int:
        """A new HTTP stream: create its context; return the context id."""
        cid = next(RUNTIME.ids)
        RUNTIME.streams[cid] = pointer
        RUNTIME.schedulers[cid] = scheduler
        RUNTIME.stream_roots[cid] = self.root_id
        RUNTIME.run(_Call(cid, pointer), "proxy_on_context_create", cid, self.root_id)
        return cid

    def _stream(self, cid: int, name: str, *args: int, body: int = -1) -> tuple[int, bool]:
        call = _Call(
            cid, RUNTIME.streams.get(cid, 0), body=body, network=cid in RUNTIME.connections
        )
        result = RUNTIME.run(call, name, cid, *args)
        return result, call.replied

    # -- TCP connections (network filters) ----------------------------------------------------
    def new_connection(self, pointer: int, _scheduler: int = 0) -> int:
        """A new TCP connection: create its context; return the context id."""
        cid = next(RUNTIME.ids)
        RUNTIME.streams[cid] = pointer
        RUNTIME.connections.add(cid)
        RUNTIME.stream_roots[cid] = self.root_id
        RUNTIME.run(_Call(cid, pointer, network=True), "proxy_on_context_create", cid, self.root_id)
        return cid

    def on_new_connection(self, cid: int, _unused: int) -> int:
        """Envoy's onNewConnection."""
        result, _ = self._stream(cid, "proxy_on_new_connection")
        return _CONTINUE if result == 0 else _STOP_ITERATION

    def on_downstream_data(self, cid: int, packed: int) -> int:
        """Envoy's onData: bytes from the client (``packed``: length << 1 | end_of_stream)."""
        return self._data(cid, "proxy_on_downstream_data", 2, packed)

    def on_upstream_data(self, cid: int, packed: int) -> int:
        """Envoy's onWrite: bytes from the upstream."""
        return self._data(cid, "proxy_on_upstream_data", 3, packed)

    def _data(self, cid: int, name: str, buffer_type: int, packed: int) -> int:
        result, _ = self._stream(cid, name, packed >> 1, packed & 1, body=buffer_type)
        return _CONTINUE if result == 0 else _STOP_ITERATION

    def on_connection_event(self, cid: int, event: int) -> int:
        """A connection event: a close ends the context (``on_done``, ``on_log``, ``on_delete``)."""
        if event in (_REMOTE_CLOSE, _LOCAL_CLOSE) and cid in RUNTIME.streams:
            peer = _PEER_REMOTE if event == _REMOTE_CLOSE else _PEER_LOCAL
            self._stream(cid, "proxy_on_downstream_connection_close", peer)
            self.on_complete(cid, 0)
        return 0

    def on_request_headers(self, cid: int, eos: int) -> int:
        """Envoy's decodeHeaders."""
        return self._headers(cid, "proxy_on_request_headers", 0, eos)

    def on_response_headers(self, cid: int, eos: int) -> int:
        """Envoy's encodeHeaders."""
        return self._headers(cid, "proxy_on_response_headers", 2, eos)

    def _headers(self, cid: int, name: str, map_type: int, eos: int) -> int:
        count = envoy.headers_size(map_type)
        result, replied = self._stream(cid, name, count, eos)
        if replied:
            return _STOP_ITERATION
        return _CONTINUE if result in (0, 2) else _STOP_ALL_ITERATION_AND_WATERMARK

    def on_request_body(self, cid: int, eos: int) -> int:
        """Envoy's decodeData."""
        return self._body(cid, "proxy_on_request_body", 0, eos)

    def on_response_body(self, cid: int, eos: int) -> int:
        """Envoy's encodeData."""
        return self._body(cid, "proxy_on_response_body", 1, eos)

    def _body(self, cid: int, name: str, buffer_type: int, eos: int) -> int:
        received, buffered = (0, 1) if buffer_type == 0 else (2, 3)
        size = len(envoy.get_body(buffered) or b"") + len(envoy.get_body(received) or b"")
        result, replied = self._stream(cid, name, size, eos, body=buffer_type)
        if replied:
            return _STOP_NO_BUFFER
        return result if 0 <= result <= 3 else _STOP_NO_BUFFER

    def on_request_trailers(self, cid: int, _unused: int) -> int:
        """Envoy's decodeTrailers."""
        return self._trailers(cid, "proxy_on_request_trailers", 1)

    def on_response_trailers(self, cid: int, _unused: int) -> int:
        """Envoy's encodeTrailers."""
        return self._trailers(cid, "proxy_on_response_trailers", 3)

    def _trailers(self, cid: int, name: str, map_type: int) -> int:
        result, replied = self._stream(cid, name, envoy.headers_size(map_type))
        return _STOP_ITERATION if replied or result != 0 else _CONTINUE

    def on_complete(self, cid: int, _unused: int) -> int:
        """The stream is complete: ``on_done``, ``on_log``, ``on_delete`` (as Envoy-Wasm)."""
        if cid not in RUNTIME.streams:
            return 0  # a connection completed at its close event
        try:
            mask = _dispatch.callback_mask()
            if mask & _DONE_BIT:
                self._stream(cid, "proxy_on_done")
            if mask & _LOG_BIT:
                self._stream(cid, "proxy_on_log")
            self._stream(cid, "proxy_on_delete")
        finally:
            RUNTIME.streams.pop(cid, None)
            RUNTIME.connections.discard(cid)
            RUNTIME.schedulers.pop(cid, None)
            RUNTIME.stream_roots.pop(cid, None)
            for key in [k for k in RUNTIME.calls if k[0] == cid]:
                del RUNTIME.calls[key]
        return 0

    def on_scheduled(self, cid: int, event_id: int) -> int:
        """An event another thread scheduled on this stream's worker: resume a direction."""
        if event_id in (_RESUME_REQUEST, _RESUME_RESPONSE) and cid in RUNTIME.streams:
            envoy.continue_stream(event_id == _RESUME_RESPONSE)
        return 0

    def on_callout_done(
        self,
        stream: int,
        callout_id: int,
        result: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        """An HTTP callout answered (or failed: no headers): ``proxy_on_http_call_response``
        on the stream (``stream`` -1: the root context, a callout of the configuration)."""
        cid = self.root_id if stream < 0 else stream
        token = RUNTIME.calls.pop((cid, callout_id), None)
        if token is None:
            return
        status = next((v for k, v in headers if k == b":status"), None)
        call = _Call(cid, RUNTIME.streams.get(cid, 0))
        call.call_response = (headers, body)
        call.call_status = (int(status), b"") if status and status.isdigit() else (503, b"")
        RUNTIME.run(call, "proxy_on_http_call_response", cid, token, len(headers), len(body), 0)

    def close(self) -> None:
        """Envoy dropped this configuration: stop ticking; ``on_done`` / ``on_delete``."""
        self.set_tick_period(0)
        RUNTIME.run(_Call(context_id=self.root_id), "proxy_on_done", self.root_id)
        RUNTIME.run(_Call(context_id=self.root_id), "proxy_on_delete", self.root_id)
        RUNTIME.roots.pop(self.root_id, None)


def define_module_metrics(module: ModuleType | None) -> None:
    """Define the filter's module-level metrics now: Envoy accepts new dynamic-module stats
    only while it loads the filter configuration, and the SDK defines metrics on first use."""
    for value in vars(module).values() if module is not None else ():
        if isinstance(value, Metric):
            try:
                value.define()
            except ProxyWasmError as exc:
                envoy.log(
                    _LOG_ERROR, f"proxy-wasm-python native: metric {value.name}: {exc}".encode()
                )


def new_plugin(raw: bytes, config_pointer: int = 0, network: int = 0) -> Plugin | None:
    """Called by ``pw_native.c`` for each Envoy filter configuration (``network``: a TCP
    filter's); None refuses it."""
    try:
        config = NativeConfig.parse(raw)
        RUNTIME.load(config)
        http = _state.state.http_factory is not None
        tcp = _state.state.stream_factory is not None
        if network and http and not tcp:
            raise NativeUnsupported("set_http_context: an HTTP filter cannot be a network filter")
        if not network and tcp and not http:
            raise NativeUnsupported("set_stream_context: a TCP filter cannot be an HTTP filter")
    except NativeUnsupported as exc:
        envoy.log(_LOG_CRITICAL, f"proxy-wasm-python native: {exc}".encode())
        return None
    except Exception as exc:
        _log_load_error(exc)
        return None
    plugin = Plugin(config, config_pointer)
    if not plugin.start():
        RUNTIME.roots.pop(plugin.root_id, None)
        return None
    return plugin


def _log_load_error(exc: BaseException) -> None:
    import traceback

    text = "".join(traceback.format_exception(exc)).rstrip("\n")
    envoy.log(_LOG_CRITICAL, f"proxy-wasm-python native: cannot load the filter:\n{text}".encode())
