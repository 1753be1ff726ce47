"""Envoy's own foreign functions, with typed arguments.

Envoy registers foreign functions a filter calls with
:meth:`~proxy_wasm.BaseContext.call_foreign_function`; some take a serialized protobuf
argument, which this module writes so filters need no protobuf library.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from .protobuf import field_bytes, field_varint

if TYPE_CHECKING:
    from .context import BaseContext


class LifeSpan(IntEnum):
    """How long a filter-state value lives (``SetEnvoyFilterStateArguments.span``)."""

    FILTER_CHAIN = 0
    DOWNSTREAM_REQUEST = 1
    DOWNSTREAM_CONNECTION = 2


def filter_state_arguments(path: str, value: str, span: LifeSpan = LifeSpan.FILTER_CHAIN) -> bytes:
    """Serialize ``SetEnvoyFilterStateArguments{path = 1, value = 2, span = 3}``."""
    out = field_bytes(1, path.encode()) + field_bytes(2, value.encode())
    if span:
        out += field_varint(3, int(span))
    return out


def set_filter_state(
    context: BaseContext, path: str, value: str, span: LifeSpan = LifeSpan.FILTER_CHAIN
) -> None:
    """Set Envoy filter state ``path`` (an object key Envoy knows, e.g.
    ``envoy.tcp_proxy.cluster``) to ``value``, through the foreign function
    ``set_envoy_filter_state``; raises :class:`~proxy_wasm.NotFound` on hosts without it."""
    context.call_foreign_function(
        "set_envoy_filter_state", filter_state_arguments(path, value, span)
    )
