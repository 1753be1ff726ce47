"""The ``proxy-wasm-python`` custom section: what a module was built from, as JSON."""

from __future__ import annotations

METADATA_SECTION = "proxy-wasm-python"


def _leb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def append_custom_section(module: bytes, name: str, payload: bytes) -> bytes:
    """Return ``module`` with a custom section appended (custom sections may go anywhere)."""
    encoded_name = name.encode()
    body = _leb128(len(encoded_name)) + encoded_name + payload
    return module + b"\x00" + _leb128(len(body)) + body
