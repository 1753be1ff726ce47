"""The Proxy-Wasm "pairs" wire format and its host limits (cpp-host ``src/pairs_util.cc``)."""

from __future__ import annotations

import struct
from collections.abc import Sequence

PAIRS_MAX_BYTES = 1 << 20
"""cpp-host ``PROXY_WASM_HOST_PAIRS_MAX_BYTES``."""
PAIRS_MAX_COUNT = 1024
"""cpp-host ``PROXY_WASM_HOST_PAIRS_MAX_COUNT``."""


def serialize_pairs(pairs: Sequence[tuple[bytes, bytes]]) -> bytes:
    """``u32 N``, then N x (u32 key_len, u32 value_len), then each key and value NUL-terminated."""
    parts = [struct.pack("<I", len(pairs))]
    parts.extend(struct.pack("<II", len(k), len(v)) for k, v in pairs)
    for k, v in pairs:
        parts.append(bytes(k) + b"\0" + bytes(v) + b"\0")
    return b"".join(parts)


def deserialize_pairs(data: bytes) -> list[tuple[bytes, bytes]] | None:
    """Decode pairs; ``[]`` for anything shorter than 4 bytes (as cpp-host), None if malformed."""
    if len(data) < 4:
        return []
    (count,) = struct.unpack_from("<I", data, 0)
    if count > PAIRS_MAX_COUNT or len(data) > PAIRS_MAX_BYTES:
        return None
    pos = 4 + 8 * count
    if pos > len(data):
        return None
    out: list[tuple[bytes, bytes]] = []
    for i in range(count):
        klen, vlen = struct.unpack_from("<II", data, 4 + 8 * i)
        if pos + klen + vlen + 2 > len(data):
            return None
        key = data[pos : pos + klen]
        pos += klen + 1
        value = data[pos : pos + vlen]
        pos += vlen + 1
        out.append((bytes(key), bytes(value)))
    return out


def pairs_too_large(pairs: Sequence[tuple[bytes, bytes]]) -> bool:
    """True if the host would refuse these pairs (more than 1024, or over 1 MiB serialized)."""
    if len(pairs) > PAIRS_MAX_COUNT:
        return True
    return 4 + sum(10 + len(k) + len(v) for k, v in pairs) > PAIRS_MAX_BYTES
