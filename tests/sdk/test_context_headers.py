"""Context accessors and the Headers view, against the fake host."""

from __future__ import annotations

import pytest

import proxy_wasm
from proxy_wasm import errors

from .conftest import FakeHost


@pytest.fixture
def ctx(host: FakeHost) -> proxy_wasm.HttpContext:
    host.maps[0] = [(b":path", b"/a"), (b"x-a", b"1"), (b"x-a", b"2"), (b"x-bin", b"\xff")]
    return proxy_wasm.HttpContext()


def test_get_headers(ctx: proxy_wasm.HttpContext) -> None:
    assert ctx.get_http_request_header("X-A") == "1"
    assert ctx.get_http_request_header("missing") is None
    assert ctx.get_http_request_header_bytes("x-bin") == b"\xff"
    assert ctx.get_http_request_headers_bytes()[-1] == ("x-bin", b"\xff")
    # Not UTF-8: decoded with surrogateescape (never fails), written back as the same bytes.
    assert ctx.get_http_request_headers()[-1] == ("x-bin", "\udcff")
    value = ctx.get_http_request_header("x-bin")
    assert value == "\udcff"
    ctx.set_http_request_header("x-bin", value)
    assert ctx.get_http_request_header_bytes("x-bin") == b"\xff"


def test_set_add_remove(ctx: proxy_wasm.HttpContext, host: FakeHost) -> None:
    ctx.set_http_request_header("X-New", "v")
    ctx.add_http_request_header("x-new", "w")
    assert host.maps[0][-2:] == [(b"x-new", b"v"), (b"x-new", b"w")]
    ctx.set_http_request_header("x-new", None)
    assert ctx.get_http_request_header("x-new") is None
    ctx.set_http_request_header_bytes("x-b", b"\x00\x01")
    assert ctx.get_http_request_header_bytes("x-b") == b"\x00\x01"
    ctx.remove_http_request_header("x-b")
    ctx.set_http_response_headers({"Content-Type": "text/plain", ":status": "200"})
    assert host.maps[2] == [(b"content-type", b"text/plain"), (b":status", b"200")]
    ctx.set_http_response_trailers([("grpc-status", "0")])
    assert ctx.get_http_response_trailers() == [("grpc-status", "0")]


def test_headers_view(ctx: proxy_wasm.HttpContext, host: FakeHost) -> None:
    h = ctx.request_headers
    assert h["X-A"] == "1"
    assert h.get_all("x-a") == ["1", "2"]
    assert "x-a" in h and "nope" not in h
    with pytest.raises(KeyError):
        h["nope"]
    assert h.get("nope", "d") == "d"
    assert list(h) == [":path", "x-a", "x-bin"] and len(h) == 3
    h["x-a"] = "3"
    assert h.get_all("x-a") == ["3"]
    h.add("x-a", "4")
    assert h.get_all("x-a") == ["3", "4"]
    del h["x-a"]
    del h["x-a"]  # idempotent, like Envoy
    assert "x-a" not in h
    h.set("x-c", b"\xfe")
    assert h.get_all_bytes("x-c") == [b"\xfe"]


def test_map_unavailable_message(ctx: proxy_wasm.HttpContext, host: FakeHost) -> None:
    host.unavailable_maps.add(0)
    with pytest.raises(errors.BadArgument, match=r"^request headers are not available in this"):
        ctx.get_http_request_header(":path")
    with pytest.raises(errors.BadArgument, match="request headers are not available"):
        ctx.request_headers["x"] = "1"


def test_limits_before_host(ctx: proxy_wasm.HttpContext, host: FakeHost) -> None:
    before = list(host.maps[0])
    with pytest.raises(errors.LimitExceeded, match="request headers: 2000 pairs"):
        ctx.set_http_request_headers([(f"h{i}", "v") for i in range(2000)])
    assert host.maps[0] == before


def test_bodies(ctx: proxy_wasm.HttpContext, host: FakeHost) -> None:
    host.buffers[0] = b"hello"
    assert ctx.get_http_request_body() == b"hello"
    assert ctx.get_http_request_body(1, 2) == b"el"
    ctx.set_http_request_body(0, 5, b"bye")
    assert host.buffers[0] == b"bye"
    with pytest.raises(errors.BadArgument, match=r"request body is not available .* prepend"):
        ctx.set_http_request_body(1, 1, b"x")
    assert ctx.get_http_response_body() is None
    with pytest.raises(errors.NotFound, match="response body is not available"):
        ctx.set_http_response_body(0, 0, b"x")


def test_send_http_response_and_control(ctx: proxy_wasm.HttpContext, host: FakeHost) -> None:
    ctx.send_http_response(403, [("X-Why", "no")], "denied")
    assert host.local_response == (403, b"", b"denied", [(b"x-why", b"no")], -1)
    ctx.send_http_response(200, grpc_status=proxy_wasm.GrpcStatus.UNAVAILABLE)
    assert host.local_response is not None and host.local_response[4] == 14
    ctx.resume_http_request()
    ctx.resume_http_response()
    ctx.reset_http_request()
    ctx.reset_http_response()
    host.foreign[b"clear_route_cache"] = b""
    ctx.clear_http_route_cache()
    assert [c for c in host.calls if c[0] != "proxy_send_local_response"][-5:] == [
        ("proxy_continue_stream", (0,)),
        ("proxy_continue_stream", (1,)),
        ("proxy_close_stream", (0,)),
        ("proxy_close_stream", (1,)),
        ("proxy_call_foreign_function", (b"clear_route_cache", b"")),
    ]


def test_every_context_api(host: FakeHost) -> None:
    ctx = proxy_wasm.RootContext()
    assert ctx.get_current_time_nanoseconds() == host.now_ns
    assert ctx.get_current_time() == pytest.approx(host.now_ns / 1e9)
    host.properties[b"request\0path"] = b"/x"
    assert ctx.get_property(["request", "path"]) == b"/x"
    assert ctx.get_property("request.path") == b"/x"
    assert ctx.get_property(["nope"]) is None
    ctx.set_property(["wasm", "k"], "v")
    assert host.properties[b"wasm\0k"] == b"v"
    assert ctx.get_shared_data("k") == (None, None)
    ctx.set_shared_data("k", "v1")
    value, cas = ctx.get_shared_data("k")
    assert value == b"v1" and cas is not None
    ctx.set_shared_data("k", b"v2", cas)
    with pytest.raises(errors.CasMismatch, match="read it again and retry"):
        ctx.set_shared_data("k", b"v3", cas)
    qid = ctx.register_shared_queue("q")
    assert ctx.resolve_shared_queue("vm", "q") == qid
    assert ctx.resolve_shared_queue("vm", "other") is None
    ctx.enqueue_shared_queue(qid, "a")
    assert ctx.dequeue_shared_queue(qid) == b"a"
    assert ctx.dequeue_shared_queue(qid) is None
    with pytest.raises(errors.NotFound, match="unknown queue id"):
        ctx.enqueue_shared_queue(99, b"x")
    with pytest.raises(errors.NotFound, match="no foreign function 'nope'"):
        ctx.call_foreign_function("nope", b"")
    ctx.set_tick_period(0.25)
    assert host.tick_ms == 250
    host.buffers[7] = b'{"a": 1}'
    assert ctx.get_plugin_configuration() == b'{"a": 1}'
    assert ctx.get_vm_configuration() is None
    host.buffers[6] = b""
    assert ctx.get_vm_configuration() is None


def test_tcp_context_data(host: FakeHost) -> None:
    ctx = proxy_wasm.StreamContext()
    host.buffers[2] = b"ping"
    host.buffers[3] = b"pong"
    assert ctx.get_downstream_data() == b"ping"
    ctx.set_downstream_data(0, 4, b"PING")
    assert host.buffers[2] == b"PING"
    ctx.set_upstream_data(4, 0, b"!")
    assert ctx.get_upstream_data() == b"pong!"
    ctx.resume_downstream()
    ctx.resume_upstream()
    ctx.close_downstream()
    ctx.close_upstream()
    assert host.calls[-4:] == [
        ("proxy_continue_stream", (2,)),
        ("proxy_continue_stream", (3,)),
        ("proxy_close_stream", (2,)),
        ("proxy_close_stream", (3,)),
    ]


def test_unbound_host_explains() -> None:
    from proxy_wasm import _host

    _host.bind(None)
    with pytest.raises(errors.HostNotBound, match="not running inside a Proxy-Wasm host"):
        proxy_wasm.HttpContext().get_http_request_header("x")
