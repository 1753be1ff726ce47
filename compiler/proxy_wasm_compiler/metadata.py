"""The ``proxy-wasm-python`` custom section: what a module was built from, as JSON."""

from __future__ import annotations

from proxy_wasm.protobuf import varint as leb128  # a protobuf varint is wasm's unsigned LEB128

METADATA_SECTION = "proxy-wasm-python"


def append_custom_section(module: bytes, name: str, payload: bytes) -> bytes:
    """Return ``module`` with a custom section appended (custom sections may go anywhere)."""
    encoded_name = name.encode()
    body = leb128(len(encoded_name)) + encoded_name + payload
    return module + b"\x00" + leb128(len(body)) + body
