"""Dispatcher state shared by ``_dispatch`` and the context classes.

The dicts are cleared, never replaced, so modules may keep direct references to them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .context import BaseContext, HttpContext, RootContext, StreamContext

contexts: dict[int, BaseContext] = {}
"""Every live context by id."""
roots: dict[int, RootContext] = {}
http: dict[int, HttpContext] = {}
tcp: dict[int, StreamContext] = {}

http_calls: dict[int, BaseContext] = {}
"""HTTP callout token -> the context that dispatched it."""
grpc_calls: dict[int, BaseContext] = {}
"""gRPC unary call token -> the context that dispatched it."""
grpc_streams: dict[int, BaseContext] = {}
"""gRPC stream token -> the context that opened it."""

creating_id = 0
"""The id of the context being created (read by ``BaseContext.__init__``)."""


def clear() -> None:
    """Forget every context and token."""
    global creating_id
    for d in (contexts, roots, http, tcp, http_calls, grpc_calls, grpc_streams):
        d.clear()
    creating_id = 0
