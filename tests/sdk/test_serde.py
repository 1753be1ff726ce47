"""Pure helpers: property paths, pairs encoding and limits."""

from __future__ import annotations

import pytest

from proxy_wasm import _serde
from proxy_wasm.errors import LimitExceeded


def test_join_path() -> None:
    assert _serde.join_path(["request", "headers", "x-id"]) == b"request\0headers\0x-id"
    assert _serde.join_path("request.path") == b"request\0path"
    assert _serde.join_path(("plugin_name",)) == b"plugin_name"
    assert _serde.join_path([b"a", "b"]) == b"a\0b"


def test_encode_pairs_lowercases_and_accepts_mappings() -> None:
    assert _serde.encode_pairs([("X-A", "1"), ("x-a", b"\xff")]) == [
        (b"x-a", b"1"),
        (b"x-a", b"\xff"),
    ]
    assert _serde.encode_pairs({"Content-Type": "text/plain"}) == [(b"content-type", b"text/plain")]
    with pytest.raises(TypeError, match="expected str or bytes, got int"):
        _serde.encode_pairs([("a", 1)])  # type: ignore[list-item]


def test_pairs_wire_format_matches_abi_example() -> None:
    data = _serde.serialize_pairs([(b"a", b"1"), (b"b", b"22")])
    assert data == bytes.fromhex("0200000001000000010000000100000002000000610031006200323200")
    assert _serde.deserialize_pairs(data) == [(b"a", b"1"), (b"b", b"22")]
    assert _serde.deserialize_pairs(b"") == []
    assert _serde.deserialize_pairs(b"\0") == []
    with pytest.raises(ValueError, match="truncated"):
        _serde.deserialize_pairs(data[:-3])


def test_limits_checked_before_host() -> None:
    too_many = [(f"h{i}", "v") for i in range(1025)]
    with pytest.raises(LimitExceeded, match="1025 pairs exceed the host limit of 1024"):
        _serde.encode_pairs(too_many, "request headers")
    ok = [(f"h{i}", "v") for i in range(1024)]
    assert len(_serde.encode_pairs(ok)) == 1024
    big = [("h", "x" * (1 << 20))]
    with pytest.raises(LimitExceeded, match=r"request headers: 1048591 serialized bytes exceed"):
        _serde.encode_pairs(big, "request headers")


def test_size_formula() -> None:
    pairs = [(b"a", b"1"), (b"b", b"22")]
    assert len(_serde.serialize_pairs(pairs)) == 4 + sum(10 + len(k) + len(v) for k, v in pairs)


def test_seconds_to_ms() -> None:
    assert _serde.seconds_to_ms(1.5, "t") == 1500
    assert _serde.seconds_to_ms(0.0004, "t") == 0
    with pytest.raises(ValueError, match="t must not be negative"):
        _serde.seconds_to_ms(-1, "t")
