"""The dispatcher's state, in one object: :data:`state`.

Shared by ``_dispatch`` and the context classes. Its dicts and sets are cleared, never replaced,
so modules may keep direct references to them (the dispatcher's hot path does).
"""

from __future__ import annotations

from .types import ExceptionPolicy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .context import BaseContext, HttpContext, RootContext, StreamContext

Factories = tuple[
    "Callable[[int], RootContext] | None",
    "Callable[[int, int], HttpContext] | None",
    "Callable[[int, int], StreamContext] | None",
]
"""One filter's root, HTTP and TCP context factories."""


class DispatcherState:
    """Every context and token, the registered factories, the exception policy and the
    callback mask (see ``proxy_wasm._dispatch``)."""

    __slots__ = (
        "broken",
        "contexts",
        "creating_id",
        "filters",
        "grpc_calls",
        "grpc_streams",
        "http",
        "http_calls",
        "http_class",
        "http_factory",
        "last_root",
        "mask",
        "mask_sent",
        "plain_classes",
        "plain_roots",
        "policy",
        "root_factory",
        "root_filters",
        "roots",
        "seen_classes",
        "stream_factory",
        "tcp",
    )

    def __init__(self) -> None:
        self.contexts: dict[int, BaseContext] = {}
        """Every live context by id."""
        self.roots: dict[int, RootContext] = {}
        self.http: dict[int, HttpContext] = {}
        self.tcp: dict[int, StreamContext] = {}
        self.http_calls: dict[int, BaseContext] = {}
        """HTTP callout token -> the context that dispatched it."""
        self.grpc_calls: dict[int, BaseContext] = {}
        """gRPC unary call token -> the context that dispatched it."""
        self.grpc_streams: dict[int, BaseContext] = {}
        """gRPC stream token -> the context that opened it."""
        self.broken: set[int] = set()
        """Ids whose context creation failed."""
        self.seen_classes: set[type] = set()
        self.plain_classes: set[type] = set()
        """Seen classes with neither ``__init__`` nor ``__new__`` of their own."""
        self.plain_roots: set[int] = set()
        """Roots whose class creates no child contexts itself."""
        self.creating_id = 0
        """The id of the context being created (read by ``BaseContext.__init__``)."""
        self.root_factory: Callable[[int], RootContext] | None = None
        self.http_factory: Callable[[int, int], HttpContext] | None = None
        self.http_class: type[HttpContext] | None = None
        """Set by ``set_http_context(cls)``: the fast path creates it directly."""
        self.stream_factory: Callable[[int, int], StreamContext] | None = None
        self.policy = ExceptionPolicy.LOCAL_REPLY_500
        self.mask = 0
        self.mask_sent = -1
        self.last_root: RootContext | None = None
        self.filters: dict[str, Factories] = {}
        """Several filters in one module (``proxy-wasm build a.py b.py``): each filter's
        factories by its root id. Empty for a single filter."""
        self.root_filters: dict[int, Factories] = {}
        """The factories of each root context of such a module, by context id."""

    def clear(self) -> None:
        """Forget every context, token, factory, the mask and the policy."""
        for d in (
            self.contexts,
            self.roots,
            self.http,
            self.tcp,
            self.http_calls,
            self.grpc_calls,
            self.grpc_streams,
            self.filters,
            self.root_filters,
        ):
            d.clear()
        for s in (self.broken, self.seen_classes, self.plain_classes, self.plain_roots):
            s.clear()
        self.creating_id = 0
        self.root_factory = self.http_factory = self.http_class = self.stream_factory = None
        self.policy = ExceptionPolicy.LOCAL_REPLY_500
        self.mask = 0
        self.mask_sent = -1
        self.last_root = None


state = DispatcherState()
"""The one dispatcher state of this interpreter."""
