"""Non-UTF-8 bytes from a client never fail a filter, and str values round-trip byte-exactly.

Header, trailer and property values are octets; the SDK's str getters decode them as UTF-8 with
``surrogateescape`` and the str setters encode the same way (docs in ``proxy_wasm.headers``).
Runs in the null runtime and on the compiled module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm import Action
from proxy_wasm._serde import join_path, to_bytes, to_text
from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "roundtrip_filter.py"
RAW = b"caf\xe9\xff"


def test_non_utf8_values_round_trip(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, properties={"fuzz.value": RAW + b"\x80"})
    assert host.start()
    s = host.http_stream()
    headers = [(b":path", b"/"), (b"x-user", RAW), (b"x-other", b"\xff\xfe")]
    assert s.send_request_headers(headers) == Action.CONTINUE
    assert s.local_response is None
    assert host.error_logs == []
    assert s.request_headers_bytes == [*headers, (b"x-copy", RAW), (b"x-view", RAW)]
    assert host.properties_written[("fuzz", "copy")] == RAW + b"\x80"
    assert s.send_request_body(b"\xc3", end_of_stream=False) == Action.CONTINUE
    assert s.send_request_trailers([(b"x-user", b"\xc3(")]) == Action.CONTINUE
    assert s.request_body == b"\xc3\xc3"
    assert s.response_headers_bytes == []
    assert s.send_response_headers([(b":status", b"200"), (b"x-user", b"\x80")]) == Action.CONTINUE
    assert s.response_headers_bytes == [
        (b":status", b"200"),
        (b"x-user", b"\x80"),
        (b"x-copy", b"\x80"),
    ]
    assert s.send_response_trailers([(b"x-user", b"\xed\xa0\x80")]) == Action.CONTINUE
    assert s._state.request.trailers == [(b"x-user", b"\xc3("), (b"x-copy", b"\xc3(")]
    assert s._state.response.trailers == [
        (b"x-user", b"\xed\xa0\x80"),
        (b"x-copy", b"\xed\xa0\x80"),
    ]
    assert host.error_logs == []


@given(st.binary(max_size=256))
def test_to_text_round_trips_every_byte_string(raw: bytes) -> None:
    text = to_text(raw)
    assert to_bytes(text) == raw
    assert join_path(text) == raw.replace(b".", b"\0")
    if _is_utf8(raw):
        assert text == raw.decode()


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True
