"""Reading the one protobuf message the native runtime receives from filters."""

from __future__ import annotations


def _varint(data: bytes, pos: int) -> tuple[int, int] | None:
    shift = value = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos
    return None


def filter_state_arguments(data: bytes) -> tuple[bytes, bytes] | None:
    """``(path, value)`` of a serialized ``SetEnvoyFilterStateArguments`` (written by
    ``proxy_wasm.envoy.filter_state_arguments``; the span is left to Envoy), or None when
    ``data`` is not such a message."""
    fields: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        read = _varint(data, pos)
        if read is None:
            return None
        tag, pos = read
        if tag & 7 == 2:
            read = _varint(data, pos)
            if read is None or read[1] + read[0] > len(data):
                return None
            size, pos = read
            fields[tag >> 3] = data[pos : pos + size]
            pos += size
        elif tag & 7 == 0:
            read = _varint(data, pos)
            if read is None:
                return None
            pos = read[1]
        else:
            return None
    return fields.get(1, b""), fields.get(2, b"")
