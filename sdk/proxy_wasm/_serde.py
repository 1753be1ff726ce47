"""Encoding helpers shared by the SDK: property paths, header pairs, the pairs wire format.

Text conversions (:func:`to_text`, :func:`to_bytes`) follow :mod:`proxy_wasm.headers`.

Limits are checked here, before the host is called (Envoy would turn an oversized map into an
empty one without an error): at most ``MAX_PAIRS`` pairs and ``MAX_PAIRS_BYTES`` serialized bytes.
"""

from __future__ import annotations

from .errors import LimitExceeded

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    PairsLike = Mapping[str, str | bytes] | Iterable[tuple[str | bytes, str | bytes]]
    """Header pairs as the SDK accepts them: a mapping or ``(name, value)`` tuples."""

    PathLike = str | Sequence[str | bytes]
    """A property path: ``["request", "path"]``, or a dotted string ``"request.path"``."""

MAX_PAIRS = 1024
"""Most pairs a host accepts in one map (``PROXY_WASM_HOST_PAIRS_MAX_COUNT``)."""

MAX_PAIRS_BYTES = 1 << 20
"""Most serialized bytes a host accepts for one map (``PROXY_WASM_HOST_PAIRS_MAX_BYTES``)."""


TEXT_ERRORS = "surrogateescape"
"""The codec error handler of every SDK text conversion (see :mod:`proxy_wasm.headers`)."""


def to_text(raw: bytes) -> str:
    """Decode wire bytes as UTF-8, non-UTF-8 bytes as lone surrogates (never fails)."""
    return raw.decode("utf-8", TEXT_ERRORS)


def to_bytes(value: str | bytes | bytearray | memoryview) -> bytes:
    """Return ``value`` as bytes: ``str`` is encoded as UTF-8 (the inverse of :func:`to_text`),
    bytes-likes are copied."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", TEXT_ERRORS)
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"expected str or bytes, got {type(value).__name__}")


def join_path(path: PathLike) -> bytes:
    """Join property path segments with NUL bytes, no trailing NUL (ABI §8.2).

    A ``str`` is split on dots (``"request.path"``); pass a list when a segment contains a dot
    (``["metadata", "filter_metadata", "envoy.lb"]``).
    """
    if isinstance(path, str):
        return to_bytes(path.replace(".", "\0"))
    if isinstance(path, bytes):
        return path
    return b"\0".join([to_bytes(p) for p in path])


def encode_pairs(pairs: PairsLike, what: str = "pairs") -> list[tuple[bytes, bytes]]:
    """Return ``pairs`` as lower-cased byte pairs, checking the host limits.

    ``what`` names the map in the :class:`~proxy_wasm.errors.LimitExceeded` message.
    """
    items: Iterable[tuple[str | bytes, str | bytes]]
    items = pairs.items() if hasattr(pairs, "items") else pairs
    out = [(to_bytes(k).lower(), to_bytes(v)) for k, v in items]
    check_limits(out, what)
    return out


def check_limits(pairs: Sequence[tuple[bytes, bytes]], what: str = "pairs") -> None:
    """Raise :class:`~proxy_wasm.errors.LimitExceeded` if ``pairs`` exceed the host limits."""
    n = len(pairs)
    if n > MAX_PAIRS:
        raise LimitExceeded(f"{what}: {n} pairs exceed the host limit of {MAX_PAIRS} pairs")
    size = 4 + 10 * n
    for k, v in pairs:
        size += len(k) + len(v)
    if size > MAX_PAIRS_BYTES:
        raise LimitExceeded(
            f"{what}: {size} serialized bytes exceed the host limit of {MAX_PAIRS_BYTES} bytes"
        )


def decode_pairs(pairs: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """Decode byte pairs as text with :func:`to_text` (round-trips through :func:`to_bytes`)."""
    return [(to_text(k), to_text(v)) for k, v in pairs]


def serialize_pairs(pairs: Iterable[tuple[bytes, bytes]]) -> bytes:
    """Serialize byte pairs in the ABI's pairs format (ABI §8.1)."""
    items = list(pairs)
    sizes = bytearray(len(items).to_bytes(4, "little"))
    data = bytearray()
    for k, v in items:
        sizes += len(k).to_bytes(4, "little") + len(v).to_bytes(4, "little")
        data += k + b"\0" + v + b"\0"
    return bytes(sizes + data)


def deserialize_pairs(data: bytes) -> list[tuple[bytes, bytes]]:
    """Parse the ABI's pairs format (ABI §8.1); anything shorter than 4 bytes is empty.

    Raises ``ValueError`` on truncated data.
    """
    if len(data) < 4:
        return []
    n = int.from_bytes(data[0:4], "little")
    pos = 4 + 8 * n
    if pos > len(data):
        raise ValueError(f"pairs data truncated: {n} pairs need {pos} bytes of sizes")
    out: list[tuple[bytes, bytes]] = []
    for i in range(n):
        base = 4 + 8 * i
        klen = int.from_bytes(data[base : base + 4], "little")
        vlen = int.from_bytes(data[base + 4 : base + 8], "little")
        end = pos + klen + 1 + vlen + 1
        if end > len(data):
            raise ValueError(f"pairs data truncated in pair {i}")
        key = data[pos : pos + klen]
        value = data[pos + klen + 1 : pos + klen + 1 + vlen]
        out.append((key, value))
        pos = end
    return out


def seconds_to_ms(seconds: float, what: str) -> int:
    """Convert a duration in seconds to whole milliseconds, rejecting negatives."""
    if seconds < 0:
        raise ValueError(f"{what} must not be negative, got {seconds!r}")
    return round(seconds * 1000)
