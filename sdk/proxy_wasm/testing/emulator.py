"""An in-memory Proxy-Wasm host with Envoy's semantics, at the ABI level.

Every host function is a method named exactly like the ``env.proxy_*`` import it serves, taking
Python values and returning the raw status code (``int``) or ``(status, result)``. Both runtimes
share these methods: the null runtime through ``proxy_wasm.testing.null_binding.NullHost`` (which
maps statuses to values and exceptions as ``_hostabi`` says), the wasm runtime through thin adapters
that read and write the module's linear memory (``proxy_wasm.testing.wasm_runtime``).

The emulator also drives the filter: it calls the module's callbacks through a :class:`Guest`
(the SDK dispatcher in the null runtime, the module's exports in the wasm runtime) and follows
Envoy (cpp-host + ``source/extensions/common/wasm/context.cc``) where it matters:

* a header map is available only in its own callback, and while the stream is stopped there;
  elsewhere map calls give ``BAD_ARGUMENT`` (request headers in the response phase, say); in
  ``proxy_on_log`` request/response headers and response trailers are readable;
* ``PAUSE`` from a headers callback is ``StopAllIterationAndWatermark`` unless
  ``allow_on_headers_stop_iteration``: body chunks are held by the host and the filter's body
  callback does not run until the stream is resumed;
* ``PAUSE`` from a body callback is ``StopIterationAndBuffer``: the next call sees the whole
  buffered body (``body_size`` is cumulative);
* ``proxy_send_local_response``, ``proxy_continue_stream`` and ``proxy_close_stream`` take effect
  after the current VM call returns (Envoy's ``addAfterVmCallAction``), and a local response forces
  the current callback's result to a stop;
* timers, queue deliveries, callout and gRPC callbacks go to the root context.
"""

from __future__ import annotations

import time
import zlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from proxy_wasm._hostabi import CALLBACK_BITS
from proxy_wasm.testing._pairs import pairs_too_large, serialize_pairs

# -- wire values (proxy-wasm-abi.md section 7) -----------------------------------------------------
OK = 0
NOT_FOUND = 1
BAD_ARGUMENT = 2
SERIALIZATION_FAILURE = 3
PARSE_FAILURE = 4
INVALID_MEMORY_ACCESS = 6
EMPTY = 7
CAS_MISMATCH = 8
INTERNAL_FAILURE = 10
UNIMPLEMENTED = 12

CONTINUE = 0
PAUSE = 1

TRACE, DEBUG, INFO, WARN, ERROR, CRITICAL = range(6)
LEVEL_NAMES = ("trace", "debug", "info", "warn", "error", "critical")

HTTP_REQUEST_BODY = 0
HTTP_RESPONSE_BODY = 1
DOWNSTREAM_DATA = 2
UPSTREAM_DATA = 3
HTTP_CALL_RESPONSE_BODY = 4
GRPC_CALL_MESSAGE = 5
VM_CONFIGURATION = 6
PLUGIN_CONFIGURATION = 7
FOREIGN_FUNCTION_ARGUMENTS = 8

HTTP_REQUEST_HEADERS = 0
HTTP_REQUEST_TRAILERS = 1
HTTP_RESPONSE_HEADERS = 2
HTTP_RESPONSE_TRAILERS = 3
GRPC_CALL_INITIAL_METADATA = 4
GRPC_CALL_TRAILING_METADATA = 5
HTTP_CALL_RESPONSE_HEADERS = 6
HTTP_CALL_RESPONSE_TRAILERS = 7

STREAM_HTTP_REQUEST = 0
STREAM_HTTP_RESPONSE = 1
STREAM_DOWNSTREAM = 2
STREAM_UPSTREAM = 3

PEER_UNKNOWN = 0
PEER_LOCAL = 1
PEER_REMOTE = 2

COUNTER = 0
GAUGE = 1
HISTOGRAM = 2

U64 = (1 << 64) - 1

Pairs = list[tuple[bytes, bytes]]

_BOOL_CALLBACKS = frozenset({"proxy_on_vm_start", "proxy_on_configure", "proxy_on_done"})


def callback_default(name: str) -> int:
    """What the host assumes when a callback is not exported (or its mask bit is clear)."""
    return 1 if name in _BOOL_CALLBACKS else 0


class Guest(Protocol):
    """The filter side: calls one ``proxy_on_*`` callback, returning its result as an int."""

    def call(self, name: str, *args: int) -> int: ...


class GuestTrap(Exception):
    """The guest failed (a wasm trap): Envoy marks the VM failed and logs the trap."""


def _lower(key: bytes) -> bytes:
    return bytes(key).lower()


# -- state records --------------------------------------------------------------------------------


@dataclass
class LocalResponse:
    """A local reply sent with ``proxy_send_local_response``."""

    status_code: int
    headers: Pairs
    body: bytes
    grpc_status: int | None
    details: str


@dataclass
class Direction:
    """One direction of an HTTP stream (request or response) as this filter sees it."""

    headers: Pairs | None = None
    trailers: Pairs | None = None
    forwarded_body: bytearray = field(default_factory=bytearray)
    buffer: bytearray = field(default_factory=bytearray)  # seen by the filter, held by the host
    pending: bytearray = field(default_factory=bytearray)  # arrived while stopped on headers
    pending_eos: bool = False
    pending_trailers: Pairs | None = None
    end_of_stream: bool = False
    stopped: str | None = None  # None | "headers_all" | "headers" | "body" | "trailers"
    headers_open: bool = False
    body_open: bool = False
    trailers_open: bool = False
    headers_forwarded: bool = False

    def forward(self) -> None:
        self.forwarded_body += self.buffer
        self.buffer.clear()
        if self.headers is not None:
            self.headers_forwarded = True
        self.stopped = None
        self.headers_open = self.body_open = self.trailers_open = False


@dataclass
class HttpState:
    """An HTTP stream context."""

    context_id: int
    root_id: int
    request: Direction = field(default_factory=Direction)
    response: Direction = field(default_factory=Direction)
    action: int = CONTINUE
    local_response: LocalResponse | None = None
    stop_next: bool = False
    reset: bool = False
    in_log: bool = False
    done: bool = False
    properties: dict[tuple[str, ...], bytes] = field(default_factory=dict)


@dataclass
class TcpFlow:
    """The bytes of one direction of a TCP connection."""

    forwarded: bytearray = field(default_factory=bytearray)  # passed on by the filter
    buffer: bytearray = field(default_factory=bytearray)  # held while the filter pauses
    open: bool = False  # the buffer is readable (inside this direction's data callback)
    stopped: bool = False
    eos: bool = False

    def forward(self) -> None:
        """Pass the held bytes on (the filter continued)."""
        self.forwarded += self.buffer
        self.buffer.clear()
        self.stopped = False


@dataclass
class TcpState:
    """A TCP connection context."""

    context_id: int
    root_id: int
    downstream: TcpFlow = field(default_factory=TcpFlow)  # client -> upstream
    upstream: TcpFlow = field(default_factory=TcpFlow)  # upstream -> client
    action: int = CONTINUE
    closed_by_filter: list[str] = field(default_factory=list)
    done: bool = False
    properties: dict[tuple[str, ...], bytes] = field(default_factory=dict)


@dataclass
class RootState:
    """A root (plugin) context."""

    context_id: int
    tick_period_ms: int = 0
    next_tick_ns: int = 0
    done: bool = False


@dataclass
class HttpCallout:
    """An HTTP call made with ``proxy_http_call``, waiting for the test to answer it."""

    token: int
    context_id: int  # the context that made the call
    root_id: int  # where the answer is delivered
    upstream: str
    headers: Pairs
    body: bytes
    trailers: Pairs
    timeout_ms: int
    deadline_ns: int
    answered: bool = False

    def header(self, name: str) -> str | None:
        key = name.lower().encode()
        for k, v in self.headers:
            if k == key:
                return v.decode("utf-8", "replace")
        return None


@dataclass
class GrpcCall:
    """A gRPC unary call or stream, waiting for the test to answer it."""

    token: int
    context_id: int
    root_id: int
    kind: str  # "unary" | "stream"
    upstream: bytes
    service: str
    method: str
    initial_metadata: Pairs
    messages: list[bytes]  # sent by the filter (unary: the request)
    timeout_ms: int
    local_closed: bool = False  # the filter half-closed (grpc_send end_stream / grpc_close)
    cancelled: bool = False
    finished: bool = False


@dataclass
class Metric:
    """A metric by name (Envoy binds every id defined under one name to one stat)."""

    type: int
    name: str
    value: int = 0
    values: list[int] = field(default_factory=list)  # histogram records


@dataclass
class Queue:
    """A shared queue."""

    queue_id: int
    vm_id: str
    name: str
    owner: Emulator | None
    owner_root: int
    items: deque[bytes] = field(default_factory=deque)


class SharedState:
    """What Envoy shares between VMs of one process: shared data and queues.

    Give the same instance to several hosts to emulate workers or plugins of one Envoy.
    """

    def __init__(self) -> None:
        self.data: dict[tuple[str, bytes], tuple[bytes, int]] = {}
        self.next_cas = 1
        self.queues: dict[int, Queue] = {}
        self.queue_names: dict[tuple[str, str], int] = {}
        self.next_queue_id = 1
        self.posted: deque[Callable[[], None]] = deque()
        self.draining = False

    def post(self, action: Callable[[], None]) -> None:
        """Queue an action to run after the current VM call returns (as Envoy defers them)."""
        self.posted.append(action)

    def drain(self) -> None:
        """Run the queued actions."""
        if self.draining:
            return
        self.draining = True
        try:
            while self.posted:
                self.posted.popleft()()
        finally:
            self.draining = False


@dataclass
class _CalloutScope:
    headers: Pairs | None = None
    body: bytes | None = None
    trailers: Pairs | None = None


# -- the emulator ----------------------------------------------------------------------------------


class Emulator:
    """The emulated host: state, host functions (raw statuses) and callback driving."""

    def __init__(
        self,
        *,
        plugin_name: str = "plugin",
        root_id: str = "",
        vm_id: str = "",
        vm_config: bytes = b"",
        plugin_config: bytes = b"",
        properties: dict[tuple[str, ...], bytes] | None = None,
        clusters: Sequence[str] | None = None,
        allow_on_headers_stop_iteration: bool = False,
        log_level: int = TRACE,
        shared: SharedState | None = None,
        start_time_ns: int | None = None,
        echo_logs: Callable[[int, str], None] | None = None,
    ) -> None:
        self.guest: Guest | None = None
        self.plugin_name = plugin_name
        self.root_id_name = root_id
        self.vm_id = vm_id
        self.vm_config = bytes(vm_config)
        self.plugin_config = bytes(plugin_config)
        self.properties: dict[tuple[str, ...], bytes] = dict(properties or {})
        self.written_properties: dict[tuple[str, ...], bytes] = {}
        self.clusters: set[str] | None = set(clusters) if clusters is not None else None
        self.allow_on_headers_stop_iteration = allow_on_headers_stop_iteration
        self.log_level = log_level
        self.shared = shared if shared is not None else SharedState()
        self.now_ns = start_time_ns if start_time_ns is not None else time.time_ns()
        self.echo_logs = echo_logs
        self.logs: list[tuple[int, str]] = []
        self.callback_mask: int | None = None
        self.vm_failed: str | None = None
        self.timings: dict[str, list[float]] | None = None  # set to a dict to time callbacks

        self.roots: dict[int, RootState] = {}
        self.http: dict[int, HttpState] = {}
        self.tcp: dict[int, TcpState] = {}
        self.next_context_id = 1
        self.current_id = 0  # the context whose callback runs
        self.effective_id = 0
        self.pending_done: set[int] = set()

        self.metrics: dict[str, Metric] = {}
        self.metric_ids: dict[int, str] = {}
        self.next_metric_id = 1

        self.callouts: dict[int, HttpCallout] = {}
        self.grpc_calls: dict[int, GrpcCall] = {}
        self.next_token = 1
        self.last_status: tuple[int, bytes] = (0, b"")
        self.foreign_functions: dict[str, Callable[[bytes], bytes]] = {
            "clear_route_cache": self._ff_clear_route_cache,
            "compress": lambda data: zlib.compress(data),
            "uncompress": lambda data: zlib.decompress(data),
        }
        self.route_cache_cleared = 0

        self._phase: str = ""  # the callback running now (for config buffers)
        self._callout = _CalloutScope()
        self._grpc_scope: tuple[Pairs | None, bytes | None, Pairs | None] = (None, None, None)
        self._ff_args: bytes | None = None
        self._depth = 0
        self._after: deque[Callable[[], None]] = deque()

    # == driving the guest =======================================================================

    def call(self, name: str, context_id: int, *args: int) -> int:
        """Call one callback on ``context_id``; run deferred actions once the VM call returns."""
        if self.guest is None:
            raise RuntimeError("no filter loaded in this emulator")
        if self.vm_failed is not None:
            return callback_default(name)
        mask = self.callback_mask
        if mask is not None and name in CALLBACK_BITS and not mask >> CALLBACK_BITS.index(name) & 1:
            return callback_default(name)
        saved = (self.current_id, self.effective_id, self._phase)
        self.current_id = self.effective_id = context_id
        self._phase = name
        self._depth += 1
        try:
            if self.timings is None:
                result = self.guest.call(name, context_id, *args)
            else:
                t0 = time.perf_counter()
                result = self.guest.call(name, context_id, *args)
                self.timings.setdefault(name, []).append(time.perf_counter() - t0)
        except GuestTrap as trap:
            self.vm_failed = str(trap)
            self.log_raw(CRITICAL, f"Function: {name} failed: {trap}")
            result = callback_default(name)
        finally:
            self._depth -= 1
            self.current_id, self.effective_id, self._phase = saved
        if self._depth == 0:
            self.run_deferred()
        return result

    def run_deferred(self) -> None:
        """Run the actions Envoy defers until after the VM call (and other VMs' posted work)."""
        while self._after:
            self._after.popleft()()
        self.shared.drain()

    def new_context_id(self) -> int:
        """Allocate the next context id (ids are shared by roots and streams, as in Envoy)."""
        cid = self.next_context_id
        self.next_context_id += 1
        return cid

    def log_raw(self, level: int, message: str) -> None:
        """Record a log entry as the host would (used for WASI stdout/stderr and host messages)."""
        self.logs.append((level, message))
        if self.echo_logs is not None:
            self.echo_logs(level, message)

    # -- plugin lifecycle ------------------------------------------------------------------------

    def create_root(self) -> int:
        """Create a root context (``proxy_on_context_create`` with parent 0); return its id."""
        cid = self.new_context_id()
        self.roots[cid] = RootState(cid)
        self.call("proxy_on_context_create", cid, 0)
        return cid

    def vm_start(self, root: int) -> bool:
        """Call ``proxy_on_vm_start`` on root context ``root``; return its result."""
        return bool(self.call("proxy_on_vm_start", root, len(self.vm_config)))

    def configure(self, root: int) -> bool:
        """Call ``proxy_on_configure`` on root context ``root``; return its result."""
        return bool(self.call("proxy_on_configure", root, len(self.plugin_config)))

    def finish_root(self, root: int) -> bool:
        """``proxy_on_done`` then, if it returned true, ``proxy_on_delete`` (cpp-host shutdown)."""
        state = self.roots[root]
        if self.call("proxy_on_done", root):
            state.done = True
            self.call("proxy_on_delete", root)
            return True
        self.pending_done.add(root)
        return False

    def tick(self, root: int) -> None:
        """Call ``proxy_on_tick`` on root context ``root``."""
        self.call("proxy_on_tick", root)

    def advance_time(self, ns: int) -> None:
        """Move the clock, firing due ticks and callout timeouts in time order."""
        end = self.now_ns + ns
        while True:
            due: list[tuple[int, int, str]] = []
            for r in self.roots.values():
                if r.tick_period_ms and not r.done and r.next_tick_ns <= end:
                    due.append((r.next_tick_ns, r.context_id, "tick"))
            for c in self.callouts.values():
                if not c.answered and c.timeout_ms and c.deadline_ns <= end:
                    due.append((c.deadline_ns, c.token, "callout"))
            if not due:
                break
            at, ident, kind = min(due)
            self.now_ns = max(self.now_ns, at)
            if kind == "tick":
                r = self.roots[ident]
                r.next_tick_ns = self.now_ns + r.tick_period_ms * 1_000_000
                self.tick(ident)
            else:
                self.fail_http_call(ident)
        self.now_ns = end

    # -- HTTP streams ---------------------------------------------------------------------------

    def new_http(self, root: int) -> HttpState:
        """Create an HTTP stream context under root ``root``."""
        cid = self.new_context_id()
        state = HttpState(cid, root)
        self.http[cid] = state
        self.call("proxy_on_context_create", cid, root)
        return state

    def _headers_result(self, s: HttpState, raw: int) -> int:
        if s.stop_next:
            s.stop_next = False
            return 4
        if raw == 1 and self.allow_on_headers_stop_iteration:
            return 1
        if raw in (0, 2):
            return 0
        return 4  # StopIteration -> StopAllIterationAndWatermark, > 4 likewise

    def _body_result(self, s: HttpState, raw: int) -> int:
        if s.stop_next:
            s.stop_next = False
            return 3
        return raw if 0 <= raw <= 3 else 3

    def _trailers_result(self, s: HttpState, raw: int) -> int:
        if s.stop_next:
            s.stop_next = False
            return 1
        return 0 if raw == 0 else 1

    @staticmethod
    def _dir(s: HttpState, response: bool) -> Direction:
        return s.response if response else s.request

    def _ended(self, s: HttpState) -> bool:
        return s.local_response is not None or s.reset

    def http_headers(self, s: HttpState, headers: Pairs, eos: bool, response: bool) -> int:
        """Deliver headers in one direction (Envoy's pause rules apply); return the action."""
        d = self._dir(s, response)
        d.headers = [(_lower(k), bytes(v)) for k, v in headers]
        d.end_of_stream = eos
        if self._ended(s):
            return PAUSE
        d.headers_open = True
        name = "proxy_on_response_headers" if response else "proxy_on_request_headers"
        result = self._headers_result(s, self.call(name, s.context_id, len(d.headers), int(eos)))
        if self._ended(s):
            s.action = PAUSE
            return PAUSE
        if result == 0:
            d.forward()
        else:
            d.stopped = "headers" if result == 1 else "headers_all"
        s.action = CONTINUE if result == 0 else PAUSE
        return s.action

    def http_body(self, s: HttpState, chunk: bytes, eos: bool, response: bool) -> int:
        """Deliver a body chunk in one direction with Envoy's buffering rules; return the action."""
        d = self._dir(s, response)
        if self._ended(s):
            return PAUSE
        if d.stopped == "headers_all":
            d.pending += chunk
            d.pending_eos = d.pending_eos or eos
            d.end_of_stream = d.end_of_stream or eos
            s.action = PAUSE
            return PAUSE
        return self._deliver_body(s, d, chunk, eos, response)

    def _deliver_body(
        self, s: HttpState, d: Direction, chunk: bytes, eos: bool, response: bool
    ) -> int:
        d.buffer += chunk
        d.end_of_stream = eos
        d.body_open = True
        name = "proxy_on_response_body" if response else "proxy_on_request_body"
        result = self._body_result(s, self.call(name, s.context_id, len(d.buffer), int(eos)))
        if self._ended(s):
            s.action = PAUSE
            return PAUSE
        if result == 0:
            d.forward()
            s.action = CONTINUE
        else:
            if result == 3:  # StopIterationNoBuffer: the host keeps nothing for the filter
                d.body_open = False
            d.stopped = d.stopped if d.stopped == "headers" else "body"
            s.action = PAUSE
        return s.action

    def http_trailers(self, s: HttpState, trailers: Pairs, response: bool) -> int:
        """Deliver trailers in one direction; return the action."""
        d = self._dir(s, response)
        lowered = [(_lower(k), bytes(v)) for k, v in trailers]
        if self._ended(s):
            return PAUSE
        if d.stopped == "headers_all":
            d.pending_trailers = lowered
            s.action = PAUSE
            return PAUSE
        return self._deliver_trailers(s, d, lowered, response)

    def _deliver_trailers(self, s: HttpState, d: Direction, trailers: Pairs, response: bool) -> int:
        d.trailers = trailers
        d.end_of_stream = True
        d.trailers_open = True
        name = "proxy_on_response_trailers" if response else "proxy_on_request_trailers"
        result = self._trailers_result(s, self.call(name, s.context_id, len(trailers)))
        if self._ended(s):
            s.action = PAUSE
            return PAUSE
        if result == 0:
            d.forward()
            s.action = CONTINUE
        else:
            d.stopped = "trailers"
            s.action = PAUSE
        return s.action

    def _resume(self, s: HttpState, response: bool) -> None:
        d = self._dir(s, response)
        if self._ended(s) or d.stopped is None:
            return
        if d.stopped == "headers_all":
            d.forward()
            s.action = CONTINUE
            if d.pending or d.pending_eos:
                chunk = bytes(d.pending)
                d.pending.clear()
                self._deliver_body(s, d, chunk, d.pending_eos, response)
            if d.pending_trailers is not None and not self._ended(s):
                trailers, d.pending_trailers = d.pending_trailers, None
                self._deliver_trailers(s, d, trailers, response)
            return
        d.forward()
        s.action = CONTINUE

    def http_complete(self, s: HttpState) -> None:
        """End of stream: ``proxy_on_done``, ``proxy_on_log``, ``proxy_on_delete``."""
        if s.done:
            return
        self.call("proxy_on_done", s.context_id)
        s.in_log = True
        try:
            self.call("proxy_on_log", s.context_id)
        finally:
            s.in_log = False
        self.call("proxy_on_delete", s.context_id)
        s.done = True

    # -- TCP connections ------------------------------------------------------------------------

    def new_tcp(self, root: int) -> TcpState:
        """Create a TCP connection context under ``root`` and call ``proxy_on_new_connection``."""
        cid = self.new_context_id()
        state = TcpState(cid, root)
        self.tcp[cid] = state
        self.call("proxy_on_context_create", cid, root)
        state.action = 0 if self.call("proxy_on_new_connection", cid) == 0 else PAUSE
        return state

    def tcp_data(self, t: TcpState, data: bytes, eos: bool, upstream: bool) -> int:
        """Deliver bytes in one direction of a TCP connection; return the action."""
        flow = t.upstream if upstream else t.downstream
        callback = "proxy_on_upstream_data" if upstream else "proxy_on_downstream_data"
        flow.buffer += data
        flow.eos = eos
        flow.open = True
        try:
            raw = self.call(callback, t.context_id, len(flow.buffer), int(eos))
        finally:
            flow.open = False
        if raw == 0:
            flow.forward()
        else:
            flow.stopped = True
        t.action = CONTINUE if raw == 0 else PAUSE
        return t.action

    def tcp_close(self, t: TcpState, upstream: bool, peer: int) -> None:
        """A peer closed the connection (upstream or downstream)."""
        name = (
            "proxy_on_upstream_connection_close"
            if upstream
            else "proxy_on_downstream_connection_close"
        )
        self.call(name, t.context_id, peer)

    def tcp_complete(self, t: TcpState) -> None:
        """End the connection: ``proxy_on_done``, ``proxy_on_log``, ``proxy_on_delete``."""
        if t.done:
            return
        self.call("proxy_on_done", t.context_id)
        self.call("proxy_on_log", t.context_id)
        self.call("proxy_on_delete", t.context_id)
        t.done = True

    # -- callouts answered by the test ------------------------------------------------------------

    def answer_http_call(self, token: int, headers: Pairs, body: bytes, trailers: Pairs) -> None:
        """Deliver the response of HTTP callout ``token`` (``proxy_on_http_call_response``)."""
        c = self.callouts[token]
        if c.answered:
            raise RuntimeError(f"HTTP callout {token} was already answered")
        c.answered = True
        hs = [(_lower(k), bytes(v)) for k, v in headers]
        ts = [(_lower(k), bytes(v)) for k, v in trailers]
        self._callout = _CalloutScope(hs, bytes(body), ts)
        self.last_status = (0, b"")
        try:
            self.call("proxy_on_http_call_response", c.root_id, token, len(hs), len(body), len(ts))
        finally:
            self._callout = _CalloutScope()

    def fail_http_call(self, token: int) -> None:
        """The callout failed or timed out: Envoy reports zero headers."""
        c = self.callouts[token]
        c.answered = True
        self._callout = _CalloutScope([], b"", [])
        self.last_status = (INTERNAL_FAILURE, b"")
        try:
            self.call("proxy_on_http_call_response", c.root_id, token, 0, 0, 0)
        finally:
            self._callout = _CalloutScope()

    def grpc_initial_metadata(self, token: int, metadata: Pairs) -> None:
        """Deliver initial metadata for gRPC call ``token``."""
        g = self.grpc_calls[token]
        md = [(_lower(k), bytes(v)) for k, v in metadata]
        self._grpc_scope = (md, None, None)
        try:
            self.call("proxy_on_grpc_receive_initial_metadata", g.root_id, token, len(md))
        finally:
            self._grpc_scope = (None, None, None)

    def grpc_message(self, token: int, message: bytes) -> None:
        """Deliver one message for gRPC call ``token`` (``proxy_on_grpc_receive``)."""
        g = self.grpc_calls[token]
        self._grpc_scope = (None, bytes(message), None)
        try:
            self.call("proxy_on_grpc_receive", g.root_id, token, len(message))
        finally:
            self._grpc_scope = (None, None, None)

    def grpc_trailing_metadata(self, token: int, metadata: Pairs) -> None:
        """Deliver trailing metadata for gRPC call ``token``."""
        g = self.grpc_calls[token]
        md = [(_lower(k), bytes(v)) for k, v in metadata]
        self._grpc_scope = (None, None, md)
        try:
            self.call("proxy_on_grpc_receive_trailing_metadata", g.root_id, token, len(md))
        finally:
            self._grpc_scope = (None, None, None)

    def grpc_close_remote(self, token: int, status: int, message: bytes) -> None:
        """The server closed gRPC call ``token`` with ``status`` (``proxy_on_grpc_close``)."""
        g = self.grpc_calls[token]
        g.finished = True
        self.last_status = (status, bytes(message))
        self.call("proxy_on_grpc_close", g.root_id, token, status)

    def foreign_function_callback(self, root: int, function_id: int, args: bytes) -> None:
        """Call ``proxy_on_foreign_function`` with ``args`` in the arguments buffer."""
        self._ff_args = bytes(args)
        try:
            self.call("proxy_on_foreign_function", root, function_id, len(args))
        finally:
            self._ff_args = None

    def _ff_clear_route_cache(self, _args: bytes) -> bytes:
        self.route_cache_cleared += 1
        return b""

    # == host functions (env.proxy_*), raw statuses ================================================

    def set_callback_mask(self, mask: int) -> None:
        """The callbacks the filter overrides (see ``proxy_wasm._hostabi.CALLBACK_BITS``)."""
        self.callback_mask = mask

    # -- logging, clock, timers, context ----------------------------------------------------------

    def proxy_log(self, level: int, message: bytes) -> int:
        if not 0 <= level <= CRITICAL:
            return BAD_ARGUMENT
        self.log_raw(level, bytes(message).decode("utf-8", "replace"))
        return OK

    def proxy_get_log_level(self) -> tuple[int, int]:
        return OK, self.log_level

    def proxy_get_current_time_nanoseconds(self) -> tuple[int, int]:
        return OK, self.now_ns

    def _root_of(self, cid: int) -> int | None:
        if cid in self.roots:
            return cid
        if cid in self.http:
            return self.http[cid].root_id
        if cid in self.tcp:
            return self.tcp[cid].root_id
        return None

    def proxy_set_tick_period_milliseconds(self, period_ms: int) -> int:
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT
        r = self.roots[root]
        r.tick_period_ms = period_ms
        r.next_tick_ns = self.now_ns + period_ms * 1_000_000
        return OK

    def proxy_set_effective_context(self, context_id: int) -> int:
        if self._root_of(context_id) is None:
            return BAD_ARGUMENT
        s = self.http.get(context_id)
        t = self.tcp.get(context_id)
        if (s is not None and s.done) or (t is not None and t.done):
            return BAD_ARGUMENT
        self.effective_id = context_id
        return OK

    def proxy_done(self) -> int:
        cid = self.effective_id
        if cid not in self.pending_done:
            return NOT_FOUND
        self.pending_done.discard(cid)

        def delete() -> None:
            if cid in self.roots:
                self.roots[cid].done = True
            self.call("proxy_on_delete", cid)

        self._after.append(delete)
        return OK

    # -- buffers ----------------------------------------------------------------------------------

    def _body_dir(self, buffer_type: int) -> Direction | None:
        s = self.http.get(self.effective_id)
        if s is None:
            return None
        d = s.response if buffer_type == HTTP_RESPONSE_BODY else s.request
        return d if d.body_open else None

    def _tcp_buffer(self, buffer_type: int) -> bytearray | None:
        t = self.tcp.get(self.effective_id)
        if t is None:
            return None
        flow = t.downstream if buffer_type == DOWNSTREAM_DATA else t.upstream
        return flow.buffer if flow.open else None

    def _buffer(self, buffer_type: int) -> tuple[bytes | bytearray | None, bool]:
        """The buffer and its end-of-stream flag, or None when not available now."""
        if buffer_type in (HTTP_REQUEST_BODY, HTTP_RESPONSE_BODY):
            d = self._body_dir(buffer_type)
            return (d.buffer, d.end_of_stream) if d is not None else (None, False)
        if buffer_type in (DOWNSTREAM_DATA, UPSTREAM_DATA):
            buf = self._tcp_buffer(buffer_type)
            t = self.tcp.get(self.effective_id)
            eos = bool(t and (t.downstream if buffer_type == DOWNSTREAM_DATA else t.upstream).eos)
            return buf, eos
        if buffer_type == HTTP_CALL_RESPONSE_BODY:
            return self._callout.body, False
        if buffer_type == GRPC_CALL_MESSAGE:
            return self._grpc_scope[1], False
        if buffer_type == VM_CONFIGURATION:
            return (self.vm_config if self._phase == "proxy_on_vm_start" else None), False
        if buffer_type == PLUGIN_CONFIGURATION:
            return (self.plugin_config if self._phase == "proxy_on_configure" else None), False
        if buffer_type == FOREIGN_FUNCTION_ARGUMENTS:
            return self._ff_args, False
        return None, False

    def proxy_get_buffer_bytes(
        self, buffer_type: int, start: int, max_size: int
    ) -> tuple[int, bytes | None]:
        if not 0 <= buffer_type <= FOREIGN_FUNCTION_ARGUMENTS:
            return BAD_ARGUMENT, None
        buf, _ = self._buffer(buffer_type)
        if buf is None:
            return NOT_FOUND, None
        start &= 0xFFFFFFFF
        max_size &= 0xFFFFFFFF
        if start > len(buf):
            return BAD_ARGUMENT, None
        return OK, bytes(buf[start : start + max_size])

    def proxy_get_buffer_status(self, buffer_type: int) -> tuple[int, int, int]:
        if not 0 <= buffer_type <= FOREIGN_FUNCTION_ARGUMENTS:
            return BAD_ARGUMENT, 0, 0
        buf, eos = self._buffer(buffer_type)
        if buf is None:
            return NOT_FOUND, 0, 0
        return OK, len(buf), 1 if eos else 0

    def proxy_set_buffer_bytes(self, buffer_type: int, start: int, size: int, value: bytes) -> int:
        if not 0 <= buffer_type <= FOREIGN_FUNCTION_ARGUMENTS:
            return BAD_ARGUMENT
        buf: bytearray | None
        if buffer_type in (HTTP_REQUEST_BODY, HTTP_RESPONSE_BODY):
            d = self._body_dir(buffer_type)
            buf = d.buffer if d is not None else None
        elif buffer_type in (DOWNSTREAM_DATA, UPSTREAM_DATA):
            buf = self._tcp_buffer(buffer_type)
        else:
            current, _ = self._buffer(buffer_type)
            return NOT_FOUND if current is None else UNIMPLEMENTED
        if buf is None:
            return NOT_FOUND
        start &= 0xFFFFFFFF
        size &= 0xFFFFFFFF
        if start == 0 and size == 0:
            buf[0:0] = value
        elif start >= len(buf):
            buf += value
        elif start == 0 and size >= len(buf):
            buf[:] = value
        else:
            return BAD_ARGUMENT  # Envoy's Buffer::copyFrom: only prepend, append or replace
        return OK

    # -- header maps ------------------------------------------------------------------------------

    def _map(self, map_type: int, write: bool) -> tuple[int, Pairs | None]:
        """(status, map): BAD_ARGUMENT when the map is not available in this callback."""
        if map_type == HTTP_CALL_RESPONSE_HEADERS:
            m = self._callout.headers
        elif map_type == HTTP_CALL_RESPONSE_TRAILERS:
            m = self._callout.trailers
        elif map_type == GRPC_CALL_INITIAL_METADATA:
            m = self._grpc_scope[0]
        elif map_type == GRPC_CALL_TRAILING_METADATA:
            m = self._grpc_scope[2]
        elif HTTP_REQUEST_HEADERS <= map_type <= HTTP_RESPONSE_TRAILERS:
            s = self.http.get(self.effective_id)
            if s is None:
                return BAD_ARGUMENT, None
            d = s.response if map_type >= HTTP_RESPONSE_HEADERS else s.request
            is_headers = map_type in (HTTP_REQUEST_HEADERS, HTTP_RESPONSE_HEADERS)
            if s.in_log and not write and map_type != HTTP_REQUEST_TRAILERS:
                m = d.headers if is_headers else d.trailers
                if m is None:
                    return NOT_FOUND, None
                return OK, m
            if is_headers:
                m = d.headers if d.headers_open else None
            else:
                m = d.trailers if d.trailers_open else None
            if m is None:
                return BAD_ARGUMENT, None
            return OK, m
        else:
            return BAD_ARGUMENT, None
        if m is None:
            return BAD_ARGUMENT, None
        if write:
            return BAD_ARGUMENT, None  # callout and gRPC maps are read-only
        return OK, m

    def proxy_get_header_map_pairs(self, map_type: int) -> tuple[int, Pairs | None]:
        status, m = self._map(map_type, False)
        return (status, None) if m is None else (OK, list(m))

    def proxy_get_header_map_size(self, map_type: int) -> tuple[int, int]:
        status, m = self._map(map_type, False)
        if m is None:
            return status, 0
        return OK, sum(len(k) + len(v) for k, v in m)

    def proxy_set_header_map_pairs(
        self, map_type: int, pairs: Sequence[tuple[bytes, bytes]]
    ) -> int:
        if pairs_too_large(pairs):
            return BAD_ARGUMENT
        status, m = self._map(map_type, True)
        if m is None:
            return status
        m[:] = [(_lower(k), bytes(v)) for k, v in pairs]
        return OK

    def proxy_get_header_map_value(self, map_type: int, key: bytes) -> tuple[int, bytes | None]:
        status, m = self._map(map_type, False)
        if m is None:
            return status, None
        k = _lower(key)
        for name, value in m:
            if name == k:
                return OK, value
        return NOT_FOUND, None

    def proxy_add_header_map_value(self, map_type: int, key: bytes, value: bytes) -> int:
        status, m = self._map(map_type, True)
        if m is None:
            return status
        m.append((_lower(key), bytes(value)))
        return OK

    def proxy_replace_header_map_value(self, map_type: int, key: bytes, value: bytes) -> int:
        status, m = self._map(map_type, True)
        if m is None:
            return status
        k = _lower(key)
        out: Pairs = []
        replaced = False
        for name, v in m:
            if name == k:
                if not replaced:
                    out.append((k, bytes(value)))
                    replaced = True
            else:
                out.append((name, v))
        if not replaced:
            out.append((k, bytes(value)))
        m[:] = out
        return OK

    def proxy_remove_header_map_value(self, map_type: int, key: bytes) -> int:
        status, m = self._map(map_type, True)
        if m is None:
            return status
        k = _lower(key)
        m[:] = [(name, v) for name, v in m if name != k]
        return OK

    # -- stream control ---------------------------------------------------------------------------

    def proxy_continue_stream(self, stream_type: int) -> int:
        cid = self.effective_id
        if stream_type in (STREAM_HTTP_REQUEST, STREAM_HTTP_RESPONSE):
            s = self.http.get(cid)
            if s is not None:
                response = stream_type == STREAM_HTTP_RESPONSE
                self._after.append(lambda: self._resume(s, response))
            return OK
        if stream_type == STREAM_DOWNSTREAM:
            t = self.tcp.get(cid)
            if t is not None:
                self._after.append(t.downstream.forward)
            return OK
        if stream_type == STREAM_UPSTREAM:
            return UNIMPLEMENTED
        return BAD_ARGUMENT

    def proxy_close_stream(self, stream_type: int) -> int:
        cid = self.effective_id
        if stream_type in (STREAM_HTTP_REQUEST, STREAM_HTTP_RESPONSE):
            s = self.http.get(cid)
            if s is not None:
                self._after.append(lambda: setattr(s, "reset", True))
            return OK
        if stream_type == STREAM_DOWNSTREAM:
            t = self.tcp.get(cid)
            if t is not None:
                t.closed_by_filter.append("downstream")
            return OK
        if stream_type == STREAM_UPSTREAM:
            return UNIMPLEMENTED
        return BAD_ARGUMENT

    def proxy_send_local_response(
        self,
        status_code: int,
        details: bytes,
        body: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        grpc_status: int,
    ) -> int:
        s = self.http.get(self.effective_id)
        if s is None:
            return NOT_FOUND
        if pairs_too_large(headers):
            return BAD_ARGUMENT
        grpc = grpc_status if 0 <= grpc_status <= 0xFFFFFFFF and grpc_status != 0xFFFFFFFF else None
        reply = LocalResponse(
            status_code=status_code,
            headers=[(_lower(k), bytes(v)) for k, v in headers],
            body=bytes(body),
            grpc_status=grpc,
            details=bytes(details).decode("utf-8", "replace").replace(" ", "_"),
        )
        if self.current_id == s.context_id and self._depth > 0:
            s.stop_next = True

        def send() -> None:
            if s.local_response is None:
                s.local_response = reply
                s.action = PAUSE

        self._after.append(send)
        return OK

    def proxy_get_status(self) -> tuple[int, int, bytes]:
        return OK, self.last_status[0], self.last_status[1]

    # -- HTTP and gRPC callouts -------------------------------------------------------------------

    def _cluster_known(self, upstream: bytes) -> bool:
        if self.clusters is None:
            return True
        if upstream.decode("utf-8", "replace") in self.clusters:
            return True
        # a serialized envoy GrpcService carries the cluster name inside
        return any(c.encode() in upstream for c in self.clusters)

    def proxy_http_call(
        self,
        upstream: bytes,
        headers: Sequence[tuple[bytes, bytes]],
        body: bytes,
        trailers: Sequence[tuple[bytes, bytes]],
        timeout_ms: int,
    ) -> tuple[int, int]:
        if pairs_too_large(headers) or pairs_too_large(trailers):
            return BAD_ARGUMENT, 0
        if not self._cluster_known(bytes(upstream)):
            return BAD_ARGUMENT, 0
        names = {_lower(k) for k, _ in headers}
        if not {b":method", b":path", b":authority"} <= names:
            return BAD_ARGUMENT, 0
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT, 0
        token = self.next_token
        self.next_token += 1
        self.callouts[token] = HttpCallout(
            token=token,
            context_id=self.effective_id,
            root_id=root,
            upstream=bytes(upstream).decode("utf-8", "replace"),
            headers=[(_lower(k), bytes(v)) for k, v in headers],
            body=bytes(body),
            trailers=[(_lower(k), bytes(v)) for k, v in trailers],
            timeout_ms=timeout_ms,
            deadline_ns=self.now_ns + timeout_ms * 1_000_000,
        )
        return OK, token

    def _new_grpc(
        self,
        kind: str,
        upstream: bytes,
        service: bytes,
        method: bytes,
        metadata: Sequence[tuple[bytes, bytes]],
        messages: list[bytes],
        timeout_ms: int,
    ) -> tuple[int, int]:
        if pairs_too_large(metadata):
            return BAD_ARGUMENT, 0
        if not self._cluster_known(bytes(upstream)):
            return PARSE_FAILURE, 0
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT, 0
        token = self.next_token
        self.next_token += 1
        self.grpc_calls[token] = GrpcCall(
            token=token,
            context_id=self.effective_id,
            root_id=root,
            kind=kind,
            upstream=bytes(upstream),
            service=bytes(service).decode("utf-8", "replace"),
            method=bytes(method).decode("utf-8", "replace"),
            initial_metadata=[(_lower(k), bytes(v)) for k, v in metadata],
            messages=messages,
            timeout_ms=timeout_ms,
        )
        return OK, token

    def proxy_grpc_call(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Sequence[tuple[bytes, bytes]],
        message: bytes,
        timeout_ms: int,
    ) -> tuple[int, int]:
        return self._new_grpc(
            "unary", upstream, service, method, initial_metadata, [bytes(message)], timeout_ms
        )

    def proxy_grpc_stream(
        self,
        upstream: bytes,
        service: bytes,
        method: bytes,
        initial_metadata: Sequence[tuple[bytes, bytes]],
    ) -> tuple[int, int]:
        return self._new_grpc("stream", upstream, service, method, initial_metadata, [], 0)

    def proxy_grpc_send(self, token: int, message: bytes, end_stream: bool) -> int:
        g = self.grpc_calls.get(token)
        if g is None or g.kind != "stream" or g.finished or g.cancelled:
            return NOT_FOUND
        g.messages.append(bytes(message))
        if end_stream:
            g.local_closed = True
        return OK

    def proxy_grpc_cancel(self, token: int) -> int:
        g = self.grpc_calls.get(token)
        if g is None or g.finished or g.cancelled:
            return NOT_FOUND
        g.cancelled = True
        return OK

    def proxy_grpc_close(self, token: int) -> int:
        g = self.grpc_calls.get(token)
        if g is None or g.finished or g.cancelled:
            return NOT_FOUND
        g.local_closed = True
        return OK

    # -- shared data and queues -------------------------------------------------------------------

    def proxy_get_shared_data(self, key: bytes) -> tuple[int, tuple[bytes, int] | None]:
        entry = self.shared.data.get((self.vm_id, bytes(key)))
        if entry is None:
            return NOT_FOUND, None
        return OK, entry

    def proxy_set_shared_data(self, key: bytes, value: bytes, cas: int) -> int:
        k = (self.vm_id, bytes(key))
        entry = self.shared.data.get(k)
        if cas != 0 and entry is not None and entry[1] != cas:
            return CAS_MISMATCH
        self.shared.data[k] = (bytes(value), self.shared.next_cas)
        self.shared.next_cas += 1
        return OK

    def proxy_register_shared_queue(self, name: bytes) -> tuple[int, int]:
        root = self._root_of(self.effective_id)
        if root is None:
            return BAD_ARGUMENT, 0
        return OK, self.register_queue(bytes(name).decode("utf-8", "replace"), root)

    def register_queue(self, name: str, root: int) -> int:
        """Register (or reopen) queue ``name`` for root context ``root``; return its id."""
        key = (self.vm_id, name)
        qid = self.shared.queue_names.get(key)
        if qid is None:
            qid = self.shared.next_queue_id
            self.shared.next_queue_id += 1
            self.shared.queue_names[key] = qid
            self.shared.queues[qid] = Queue(qid, self.vm_id, name, self, root)
        else:
            q = self.shared.queues[qid]
            q.owner, q.owner_root = self, root
        return qid

    def proxy_resolve_shared_queue(self, vm_id: bytes, name: bytes) -> tuple[int, int | None]:
        key = (bytes(vm_id).decode("utf-8", "replace"), bytes(name).decode("utf-8", "replace"))
        qid = self.shared.queue_names.get(key)
        if qid is None:
            return NOT_FOUND, None
        return OK, qid

    def proxy_enqueue_shared_queue(self, queue_id: int, value: bytes) -> int:
        q = self.shared.queues.get(queue_id)
        if q is None:
            return NOT_FOUND
        q.items.append(bytes(value))
        owner = q.owner
        if owner is not None:
            root = q.owner_root
            self.shared.post(lambda: owner.deliver_queue_ready(root, queue_id))
            if self._depth == 0:
                self.shared.drain()
        return OK

    def deliver_queue_ready(self, root: int, queue_id: int) -> None:
        """Call ``proxy_on_queue_ready`` on the root context that registered the queue."""
        if root in self.roots and not self.roots[root].done:
            self.call("proxy_on_queue_ready", root, queue_id)

    def proxy_dequeue_shared_queue(self, queue_id: int) -> tuple[int, bytes | None]:
        q = self.shared.queues.get(queue_id)
        if q is None:
            return NOT_FOUND, None
        if not q.items:
            return EMPTY, None
        return OK, q.items.popleft()

    # -- metrics ----------------------------------------------------------------------------------

    def proxy_define_metric(self, metric_type: int, name: bytes) -> tuple[int, int]:
        if metric_type not in (COUNTER, GAUGE, HISTOGRAM):
            return BAD_ARGUMENT, 0
        n = bytes(name).decode("utf-8", "replace")
        if n not in self.metrics:
            self.metrics[n] = Metric(metric_type, n)
        mid = self.next_metric_id
        self.next_metric_id += 1
        self.metric_ids[mid] = n
        return OK, mid

    def proxy_record_metric(self, metric_id: int, value: int) -> int:
        n = self.metric_ids.get(metric_id)
        if n is None:
            return NOT_FOUND
        m = self.metrics[n]
        value &= U64
        if m.type == COUNTER:
            if value < m.value:
                return BAD_ARGUMENT
            m.value = value
        elif m.type == GAUGE:
            m.value = value
        else:
            m.values.append(value)
        return OK

    def proxy_increment_metric(self, metric_id: int, delta: int) -> int:
        n = self.metric_ids.get(metric_id)
        if n is None:
            return NOT_FOUND
        m = self.metrics[n]
        if delta >= 1 << 63:
            delta -= 1 << 64  # i64 on the wire
        if m.type == COUNTER:
            if delta < 0:
                return BAD_ARGUMENT
            m.value = (m.value + delta) & U64
        elif m.type == GAUGE:
            m.value = (m.value + delta) & U64
        else:
            return BAD_ARGUMENT
        return OK

    def proxy_get_metric(self, metric_id: int) -> tuple[int, int]:
        n = self.metric_ids.get(metric_id)
        if n is None:
            return NOT_FOUND, 0
        m = self.metrics[n]
        if m.type == HISTOGRAM:
            return BAD_ARGUMENT, 0
        return OK, m.value

    # -- properties and foreign functions ---------------------------------------------------------

    def _derived_property(self, path: tuple[str, ...]) -> bytes | None:
        """Well-known attributes Envoy computes: plugin_*, request.*, response.*, source.*."""
        simple = {
            ("plugin_name",): self.plugin_name.encode(),
            ("plugin_root_id",): self.root_id_name.encode(),
            ("plugin_vm_id",): self.vm_id.encode(),
            ("source", "address"): b"127.0.0.1:50000",
            ("source", "port"): (50000).to_bytes(8, "little"),
            ("destination", "address"): b"127.0.0.1:10000",
            ("destination", "port"): (10000).to_bytes(8, "little"),
            ("connection", "mtls"): b"\0",
        }
        if path in simple:
            return simple[path]
        cid = self.effective_id
        if path == ("connection", "id") or path == ("connection_id",):
            return cid.to_bytes(8, "little")
        s = self.http.get(cid)
        if s is None:
            return None
        req = s.request.headers or []
        resp = s.response.headers

        def first(m: Pairs, name: bytes) -> bytes | None:
            for k, v in m:
                if k == name:
                    return v
            return None

        def joined(m: Pairs) -> Pairs:
            out: dict[bytes, bytes] = {}
            for k, v in m:
                if k.startswith(b":"):
                    continue
                out[k] = out[k] + b"," + v if k in out else v
            return list(out.items())

        if path[0] == "request" and s.request.headers is not None:
            p = first(req, b":path") or b""
            req_map: dict[tuple[str, ...], bytes | None] = {
                ("request", "path"): p,
                ("request", "url_path"): p.split(b"?", 1)[0],
                ("request", "query"): p.split(b"?", 1)[1] if b"?" in p else b"",
                ("request", "host"): first(req, b":authority"),
                ("request", "method"): first(req, b":method"),
                ("request", "scheme"): first(req, b":scheme") or b"http",
                ("request", "protocol"): b"HTTP/1.1",
                ("request", "id"): first(req, b"x-request-id"),
                ("request", "referer"): first(req, b"referer"),
                ("request", "useragent"): first(req, b"user-agent"),
            }
            if path in req_map:
                return req_map[path]
            if path == ("request", "headers"):
                return serialize_pairs(joined(req))
            if len(path) == 3 and path[1] == "headers":
                return dict(joined(req)).get(path[2].lower().encode())
        if path[0] == "response" and resp is not None:
            if path == ("response", "code"):
                status = first(resp, b":status")
                return int(status).to_bytes(8, "little") if status and status.isdigit() else None
            if path == ("response", "headers"):
                return serialize_pairs(joined(resp))
            if len(path) == 3 and path[1] == "headers":
                return dict(joined(resp)).get(path[2].lower().encode())
        return None

    def proxy_get_property(self, path: bytes) -> tuple[int, bytes | None]:
        parts = tuple(p.decode("utf-8", "surrogateescape") for p in bytes(path).split(b"\0"))
        holder = self.http.get(self.effective_id) or self.tcp.get(self.effective_id)
        if holder is not None and parts in holder.properties:
            return OK, holder.properties[parts]
        if parts in self.properties:
            return OK, self.properties[parts]
        value = self._derived_property(parts) if parts and parts[0] else None
        if value is None:
            return NOT_FOUND, None
        return OK, value

    def proxy_set_property(self, path: bytes, value: bytes) -> int:
        parts = tuple(p.decode("utf-8", "surrogateescape") for p in bytes(path).split(b"\0"))
        holder = self.http.get(self.effective_id) or self.tcp.get(self.effective_id)
        if holder is not None:
            holder.properties[parts] = bytes(value)
        else:
            self.properties[parts] = bytes(value)
        self.written_properties[parts] = bytes(value)
        return OK

    def proxy_call_foreign_function(
        self, name: bytes, arguments: bytes
    ) -> tuple[int, bytes | None]:
        fn = self.foreign_functions.get(bytes(name).decode("utf-8", "replace"))
        if fn is None:
            return NOT_FOUND, None
        return OK, bytes(fn(bytes(arguments)))
