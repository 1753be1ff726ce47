"""Property decoding (ABI §8.3) and the typed helpers."""

from __future__ import annotations

import struct

import pytest

from proxy_wasm import _serde, properties

from .conftest import FakeHost


def test_decoders() -> None:
    assert properties.decode_int((-5).to_bytes(8, "little", signed=True)) == -5
    assert properties.decode_uint((2**64 - 1).to_bytes(8, "little")) == 2**64 - 1
    assert properties.decode_bool(b"\x01") is True
    assert properties.decode_bool(b"\x00") is False
    assert properties.decode_float(struct.pack("<d", 1.25)) == 1.25
    raw = _serde.serialize_pairs([(b"a", b"1"), (b"b", b"2")])
    assert properties.decode_map(raw) == {"a": "1", "b": "2"}
    assert properties.decode_list(_serde.serialize_pairs([(b"x", b""), (b"y", b"")])) == [
        "x",
        "y",
    ]
    with pytest.raises(ValueError, match="8 bytes"):
        properties.decode_int(b"\x01")


def test_typed_helpers(host: FakeHost) -> None:
    host.properties.update(
        {
            b"request\0path": b"/p?q=1",
            b"request\0method": b"GET",
            b"request\0headers": _serde.serialize_pairs([(b"x-a", b"1,2")]),
            b"source\0address": b"127.0.0.1:5000",
            b"source\0port": (5000).to_bytes(8, "little"),
            b"connection\0id": (7).to_bytes(8, "little"),
            b"response\0code": (200).to_bytes(8, "little"),
            b"plugin_name": b"my-plugin",
            b"route_name": b"legacy-route",
            b"request\0duration": (1_500_000_000).to_bytes(8, "little"),
        }
    )
    assert properties.request_path() == "/p?q=1"
    assert properties.request_method() == "GET"
    assert properties.request_headers() == {"x-a": "1,2"}
    assert properties.source_address() == "127.0.0.1:5000"
    assert properties.source_port() == 5000
    assert properties.connection_id() == 7
    assert properties.response_code() == 200
    assert properties.plugin_name() == "my-plugin"
    assert properties.route_name() == "legacy-route"
    assert properties.request_duration() == 1.5
    assert properties.destination_address() is None
    assert properties.get_string(["request", "path"]) == "/p?q=1"
