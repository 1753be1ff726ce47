"""The build's custom section: written with the SDK's varint, read back by us and wasmtime."""

from __future__ import annotations

import wasmtime
from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm.protobuf import varint
from proxy_wasm_compiler.metadata import append_custom_section
from proxy_wasm_compiler.wasm_module import parse_module

EMPTY_MODULE = bytes(wasmtime.wat2wasm("(module)"))


def _read_varint(data: bytes) -> int:
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value
    raise AssertionError("unterminated varint")


@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_varint_round_trips_and_is_minimal(value: int) -> None:
    encoded = varint(value)
    assert _read_varint(encoded) == value
    assert len(encoded) == max(1, -(-value.bit_length() // 7))


@given(
    name=st.text(min_size=1, max_size=40),
    payload=st.binary(max_size=300),
    padding=st.sampled_from([0, 100, 20_000]),  # one-, two- and three-byte section lengths
)
def test_custom_section_reads_back(name: str, payload: bytes, padding: int) -> None:
    data = append_custom_section(EMPTY_MODULE, name, payload + b"\0" * padding)
    assert parse_module(data).custom_section(name) == payload + b"\0" * padding
    wasmtime.Module.validate(wasmtime.Engine(), data)  # a real reader agrees
