"""The emulator's state records: roots, HTTP streams, TCP connections, pending callouts,
metrics, shared data and queues."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from proxy_wasm.testing.emulator.wire import (
    CONTINUE,
    Pairs,
)

__all__ = [
    "CalloutScope",
    "Direction",
    "HttpState",
    "LocalResponse",
    "Metric",
    "PendingGrpcCall",
    "PendingHttpCall",
    "Queue",
    "RootState",
    "SharedState",
    "TcpFlow",
    "TcpState",
]

if TYPE_CHECKING:
    from proxy_wasm.testing.emulator.hostcalls_services import ServiceHostCalls


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
class PendingHttpCall:
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
class PendingGrpcCall:
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
    owner: ServiceHostCalls | None
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
class CalloutScope:
    """The maps and body of the callout response being delivered."""

    headers: Pairs | None = None
    body: bytes | None = None
    trailers: Pairs | None = None
