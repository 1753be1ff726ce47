"""Protobuf wire-format writers, for the few messages a filter sends without a protobuf library.

The SDK writes Envoy's ``GrpcService`` and foreign-function arguments with them; a filter may
write a small request message for ``dispatch_grpc_call`` the same way::

    from proxy_wasm.protobuf import field_bytes, field_varint

    request = field_bytes(1, b"alice") + field_varint(2, 42)  # {name: "alice", id: 42}

:func:`varint` is also WebAssembly's unsigned LEB128 (the build pipeline writes section
lengths with it).
"""

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
