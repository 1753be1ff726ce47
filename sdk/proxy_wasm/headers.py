"""Header maps: the functions behind the context accessors, and the :class:`Headers` view.

Both go through the same host calls, so the view has no behaviour of its own: names are
lower-cased (as Envoy does), values are ``str`` (see *Text* below) with ``bytes`` twins,
repeated headers keep every value, and a map that is not available in the current callback
raises :class:`~proxy_wasm.errors.BadArgument` saying so (e.g. request headers during the
response phase).

All calls act on the context the host is currently calling (its *effective* context).

*Text*: header names and values, trailers and properties are octets on the wire (RFC 9110 lets a
client send any byte but NUL/CR/LF in a value, and Envoy passes them on). The SDK's ``str``
getters decode them as UTF-8 with the ``surrogateescape`` error handler (PEP 383), so they never
fail, and ``str`` setters encode the same way: a value read with a ``str`` getter and written back
with a ``str`` setter sends exactly the bytes that arrived. A byte that is not UTF-8 shows up as
a lone surrogate (``"caf\\udce9"`` for ``b"caf\\xe9"``); the ``_bytes`` twins give the raw bytes.
"""

from __future__ import annotations

from . import _host as _h
from ._serde import check_limits, encode_pairs, to_bytes, to_text
from .errors import MAP_NAMES, BadArgument, map_unavailable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._serde import PairsLike


def get_pairs(map_type: int) -> list[tuple[bytes, bytes]]:
    """Return every ``(name, value)`` pair of the map, repeated names included."""
    try:
        return _h.host.proxy_get_header_map_pairs(map_type)
    except BadArgument:
        raise map_unavailable(map_type, "proxy_get_header_map_pairs") from None


def set_pairs(map_type: int, pairs: PairsLike) -> None:
    """Replace the whole map with ``pairs`` (names lower-cased, limits checked first)."""
    encoded = encode_pairs(pairs, MAP_NAMES[map_type])
    try:
        _h.host.proxy_set_header_map_pairs(map_type, encoded)
    except BadArgument:
        raise map_unavailable(map_type, "proxy_set_header_map_pairs") from None


def set_byte_pairs(map_type: int, pairs: list[tuple[bytes, bytes]]) -> None:
    """Replace the whole map with already encoded pairs (limits checked first)."""
    check_limits(pairs, MAP_NAMES[map_type])
    try:
        _h.host.proxy_set_header_map_pairs(map_type, pairs)
    except BadArgument:
        raise map_unavailable(map_type, "proxy_set_header_map_pairs") from None


def get_value(map_type: int, name: str) -> bytes | None:
    """Return the first value of ``name`` (as Envoy does), or ``None`` when absent."""
    try:
        return _h.host.proxy_get_header_map_value(map_type, to_bytes(name.lower()))
    except BadArgument:
        raise map_unavailable(map_type, "proxy_get_header_map_value") from None


def replace_value(map_type: int, name: str, value: bytes) -> None:
    """Set ``name`` to the single value ``value`` (adds it when absent)."""
    try:
        _h.host.proxy_replace_header_map_value(map_type, to_bytes(name.lower()), value)
    except BadArgument:
        raise map_unavailable(map_type, "proxy_replace_header_map_value") from None


def add_value(map_type: int, name: str, value: bytes) -> None:
    """Add one more value for ``name``, keeping existing ones."""
    try:
        _h.host.proxy_add_header_map_value(map_type, to_bytes(name.lower()), value)
    except BadArgument:
        raise map_unavailable(map_type, "proxy_add_header_map_value") from None


def remove_value(map_type: int, name: str) -> None:
    """Remove every value of ``name`` (no error when absent, as in Envoy)."""
    try:
        _h.host.proxy_remove_header_map_value(map_type, to_bytes(name.lower()))
    except BadArgument:
        raise map_unavailable(map_type, "proxy_remove_header_map_value") from None


class Headers:
    """A case-insensitive, multi-value view of one header map, backed by the host calls.

    ``ctx.request_headers["x-a"]`` (first value, ``KeyError`` when absent), ``.get(name)``,
    ``.get_all(name)``, ``ctx.request_headers["x-a"] = "1"`` (replace), ``.add(name, value)``,
    ``del ctx.request_headers["x-a"]`` (remove every value; no error when absent, as in Envoy),
    ``"x-a" in ...``, iteration over distinct names, ``.items()`` over every pair.
    Values are ``str``; ``get_bytes``/``get_all_bytes``/``items_bytes`` and ``bytes`` values on
    write handle non-UTF-8 data. The view holds no data: every access asks the host.
    """

    __slots__ = ("map_type",)

    def __init__(self, map_type: int) -> None:
        self.map_type = map_type

    def __repr__(self) -> str:
        return f"Headers({MAP_NAMES[self.map_type]})"

    def __getitem__(self, name: str) -> str:
        value = get_value(self.map_type, name)
        if value is None:
            raise KeyError(name)
        return to_text(value)

    def get(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of ``name``, or ``default`` when absent."""
        value = get_value(self.map_type, name)
        return default if value is None else to_text(value)

    def get_bytes(self, name: str) -> bytes | None:
        """Return the first value of ``name`` as bytes, or ``None`` when absent."""
        return get_value(self.map_type, name)

    def get_all(self, name: str) -> list[str]:
        """Return every value of ``name``, in order (empty when absent)."""
        key = to_bytes(name.lower())
        return [to_text(v) for k, v in get_pairs(self.map_type) if k == key]

    def get_all_bytes(self, name: str) -> list[bytes]:
        """Return every value of ``name`` as bytes, in order."""
        key = to_bytes(name.lower())
        return [v for k, v in get_pairs(self.map_type) if k == key]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        return get_value(self.map_type, name) is not None

    def __setitem__(self, name: str, value: str | bytes) -> None:
        replace_value(self.map_type, name, to_bytes(value))

    def set(self, name: str, value: str | bytes | None) -> None:
        """Replace every value of ``name`` with ``value``; ``None`` removes the header."""
        if value is None:
            remove_value(self.map_type, name)
        else:
            self[name] = value

    def add(self, name: str, value: str | bytes) -> None:
        """Add a value for ``name``, keeping the existing ones."""
        add_value(self.map_type, name, to_bytes(value))

    def __delitem__(self, name: str) -> None:
        remove_value(self.map_type, name)

    def remove(self, name: str) -> None:
        """Remove every value of ``name`` (no error when absent)."""
        remove_value(self.map_type, name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def keys(self) -> list[str]:
        """Return the distinct header names, in order of first appearance."""
        return list(dict.fromkeys(to_text(k) for k, _ in get_pairs(self.map_type)))

    def items(self) -> list[tuple[str, str]]:
        """Return every ``(name, value)`` pair, repeated names included."""
        return [(to_text(k), to_text(v)) for k, v in get_pairs(self.map_type)]

    def items_bytes(self) -> list[tuple[bytes, bytes]]:
        """Return every pair as bytes."""
        return get_pairs(self.map_type)

    def replace_all(self, pairs: PairsLike) -> None:
        """Replace the whole map with ``pairs`` (a mapping or ``(name, value)`` tuples)."""
        set_pairs(self.map_type, pairs)

    def clear(self) -> None:
        """Remove every header."""
        set_byte_pairs(self.map_type, [])
