"""The current host binding: ``host`` is what every SDK call goes through.

Inside a compiled module the built-in C module ``_proxy_wasm_host`` exists and is bound at
import. In the null runtime the test host calls :func:`bind` with its ``NullHost``. Until then
``host`` is a placeholder whose every attribute raises :class:`~proxy_wasm.errors.HostNotBound`.
"""

from __future__ import annotations

from .errors import HostNotBound

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._hostabi import HostABI


class _Unbound:
    """Placeholder host: any ABI call explains that no host is bound."""

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        raise HostNotBound(
            f"{name}: proxy_wasm is not running inside a Proxy-Wasm host; filter code runs "
            "in a compiled module (proxy-wasm build) or under proxy_wasm.testing"
        )


host: HostABI = _Unbound()  # type: ignore[assignment]
"""The bound :class:`~proxy_wasm._hostabi.HostABI` implementation."""

generation = 0
"""Incremented by every :func:`bind`; caches of host ids (metric ids) compare it."""


def bind(impl: HostABI | None) -> None:
    """Install ``impl`` as the host every SDK call uses (``None`` unbinds)."""
    global host, generation
    host = _Unbound() if impl is None else impl  # type: ignore[assignment]
    generation += 1


try:
    # Dynamic on purpose: the built-in exists only inside a compiled module.
    _builtin = __import__("_proxy_wasm_host")
except ImportError:
    pass
else:
    bind(_builtin)
