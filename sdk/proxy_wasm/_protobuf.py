"""The few protobuf wire-format pieces the SDK writes by hand (no protobuf library in a filter)."""

from __future__ import annotations


def varint(value: int) -> bytes:
    """An unsigned base-128 varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_bytes(number: int, payload: bytes) -> bytes:
    """A length-delimited field (wire type 2): strings, bytes, nested messages."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def field_varint(number: int, value: int) -> bytes:
    """A varint field (wire type 0): integers, enums, bools."""
    return varint(number << 3) + varint(value)
