"""The dispatcher against the recording fake host."""

from __future__ import annotations

from typing import cast

import pytest

import proxy_wasm
from proxy_wasm import _abi, _dispatch, _hostabi, _state
from proxy_wasm._hostabi import callback_bit
from proxy_wasm.types import Action, ExceptionPolicy, PeerType

from .conftest import FakeHost

D = _dispatch


def test_optional_callbacks_match_hostabi_bits() -> None:
    assert tuple(name for name, _ in _abi.OPTIONAL_CALLBACKS) == _hostabi.CALLBACK_BITS


class Root(proxy_wasm.RootContext):
    def __init__(self) -> None:
        super().__init__()
        self.seen_id_in_init = self.context_id
        self.ticks = 0

    def on_tick(self) -> None:
        self.ticks += 1


class Http(proxy_wasm.HttpContext):
    def __init__(self) -> None:
        super().__init__()
        self.seen_id_in_init = self.context_id
        self.events: list[object] = []

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.events.append(("headers", num_headers, end_of_stream))
        return Action.PAUSE

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        self.events.append(("callout", token, self.get_http_call_response_body()))
        self.resume_http_request()


def start(host: FakeHost) -> None:
    D.proxy_on_context_create(1, 0)
    assert D.proxy_on_vm_start(1, 0) == 1
    assert D.proxy_on_configure(1, 0) == 1


def test_lifecycle_and_ids(host: FakeHost) -> None:
    proxy_wasm.set_root_context(lambda cid: Root())
    proxy_wasm.set_http_context(Http)
    start(host)
    root = D._roots[1]
    assert isinstance(root, Root) and root.context_id == 1 and root.seen_id_in_init == 1
    D.proxy_on_context_create(2, 1)
    ctx = D._http[2]
    assert isinstance(ctx, Http) and ctx.context_id == 2 and ctx.seen_id_in_init == 2
    assert D.proxy_on_request_headers(2, 3, 1) == Action.PAUSE
    assert ctx.events == [("headers", 3, True)]
    assert D.proxy_on_response_headers(2, 1, 0) == 0
    assert D.proxy_on_done(2) == 1
    D.proxy_on_log(2)
    D.proxy_on_delete(2)
    assert 2 not in D._contexts and 2 not in D._http
    D.proxy_on_tick(1)
    assert root.ticks == 1
    assert host.error_logs() == []


def test_root_creates_http_context_first(host: FakeHost) -> None:
    made: list[int] = []

    class R(proxy_wasm.RootContext):
        def create_http_context(self, context_id: int) -> proxy_wasm.HttpContext | None:
            made.append(context_id)
            return Http()

    proxy_wasm.set_root_context(R)
    proxy_wasm.set_http_context(lambda cid, rid: pytest.fail("factory used"))
    start(host)
    D.proxy_on_context_create(7, 1)
    assert made == [7] and isinstance(D._http[7], Http)


def test_stream_context_factory(host: FakeHost) -> None:
    class Tcp(proxy_wasm.StreamContext):
        def __init__(self) -> None:  # forgets super().__init__()
            self.peers: list[PeerType] = []

        def on_downstream_data(self, data_size: int, end_of_stream: bool) -> Action:
            return Action.PAUSE

        def on_downstream_close(self, peer_type: PeerType) -> None:
            self.peers.append(peer_type)

    proxy_wasm.set_stream_context(Tcp)
    start(host)
    D.proxy_on_context_create(3, 1)
    ctx = D._tcp[3]
    assert isinstance(ctx, Tcp) and ctx.context_id == 3
    assert D.proxy_on_new_connection(3) == 0
    assert D.proxy_on_downstream_data(3, 10, 0) == 1
    D.proxy_on_downstream_connection_close(3, 2)
    assert ctx.peers == [PeerType.REMOTE]


def test_callback_mask_grows_per_class(host: FakeHost) -> None:
    proxy_wasm.set_root_context(Root)
    proxy_wasm.set_http_context(Http)
    start(host)
    assert host.mask == callback_bit("proxy_on_tick")
    D.proxy_on_context_create(2, 1)
    expected = callback_bit("proxy_on_tick") | callback_bit("proxy_on_request_headers")
    assert host.mask == expected
    sent = host.names().count("set_callback_mask")
    D.proxy_on_context_create(3, 1)  # same class: no new mask
    assert host.names().count("set_callback_mask") == sent


def test_plain_root_sends_empty_mask_once(host: FakeHost) -> None:
    start(host)
    assert host.mask == 0
    assert isinstance(D._roots[1], proxy_wasm.RootContext)


class Boom(proxy_wasm.HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        raise ValueError("boom in user code")


def test_exception_logs_traceback_once_and_replies_500(host: FakeHost) -> None:
    proxy_wasm.set_http_context(Boom)
    start(host)
    D.proxy_on_context_create(2, 1)
    assert D.proxy_on_request_headers(2, 1, 1) == Action.PAUSE
    errors = host.error_logs()
    assert len(errors) == 1
    assert errors[0].startswith("Traceback (most recent call last):")
    assert "boom in user code" in errors[0]
    assert "test_dispatch.py" in errors[0] and "proxy_wasm/_dispatch.py" not in errors[0]
    assert host.local_response is not None
    assert host.local_response[0] == 500
    assert host.local_response[2] == b"internal filter error"
    assert host.local_response[4] == -1


def test_exception_policy_continue(host: FakeHost) -> None:
    proxy_wasm.set_exception_policy(ExceptionPolicy.CONTINUE)
    proxy_wasm.set_http_context(Boom)
    start(host)
    D.proxy_on_context_create(2, 1)
    assert D.proxy_on_request_headers(2, 1, 1) == Action.CONTINUE
    assert len(host.error_logs()) == 1
    assert host.local_response is None


def test_vm_start_and_configure_false_or_raise(host: FakeHost) -> None:
    class R(proxy_wasm.RootContext):
        def on_vm_start(self, vm_configuration_size: int) -> bool:
            return False

        def on_configure(self, plugin_configuration_size: int) -> bool:
            raise proxy_wasm.ConfigError("$.a", 'expected int, got "x"')

    proxy_wasm.set_root_context(R)
    D.proxy_on_context_create(1, 0)
    assert D.proxy_on_vm_start(1, 0) == 0
    assert D.proxy_on_configure(1, 5) == 0
    errors = host.error_logs()
    assert errors[0] == "R.on_vm_start returned False"
    assert 'ConfigError: $.a: expected int, got "x"' in errors[1]


def test_vm_start_with_zero_root_id_uses_last_root(host: FakeHost) -> None:
    D.proxy_on_context_create(5, 0)
    assert D.proxy_on_vm_start(0, 0) == 1


def test_factory_failure_then_local_reply(host: FakeHost) -> None:
    def bad(cid: int, rid: int) -> proxy_wasm.HttpContext:
        raise RuntimeError("factory broke")

    proxy_wasm.set_http_context(bad)
    start(host)
    D.proxy_on_context_create(2, 1)
    assert "factory broke" in host.error_logs()[0]
    assert D.proxy_on_request_headers(2, 0, 0) == Action.PAUSE
    assert host.local_response is not None and host.local_response[0] == 500


def test_no_factory_is_an_error(host: FakeHost) -> None:
    start(host)
    D.proxy_on_context_create(2, 1)
    assert "no context for stream 2" in host.error_logs()[0]


def test_unknown_context_logs(host: FakeHost) -> None:
    assert D.proxy_on_request_body(42, 0, 0) == 0
    assert host.error_logs() == ["proxy_on_request_body: unknown context id 42"]


def test_http_callout_goes_to_dispatching_context(host: FakeHost) -> None:
    proxy_wasm.set_http_context(Http)
    start(host)
    D.proxy_on_context_create(2, 1)
    ctx = D._http[2]
    assert isinstance(ctx, Http)
    token = ctx.dispatch_http_call(
        "cluster", [(":method", "GET"), (":path", "/"), (":authority", "x")], timeout=1.5
    )
    name, args = host.calls[-1]
    assert name == "proxy_http_call"
    assert args == (
        b"cluster",
        [(b":method", b"GET"), (b":path", b"/"), (b":authority", b"x")],
        b"",
        [],
        1500,
    )
    host.buffers[4] = b"resp"
    D.proxy_on_http_call_response(1, token, 2, 4, 0)
    assert host.effective == 2
    assert ctx.events[-1] == ("callout", token, b"resp")
    assert ("proxy_continue_stream", (0,)) in host.calls
    # the token is consumed
    D.proxy_on_http_call_response(1, token, 2, 4, 0)
    assert ctx.events.count(("callout", token, b"resp")) == 1


def test_callout_for_deleted_stream_is_dropped(host: FakeHost) -> None:
    proxy_wasm.set_http_context(Http)
    start(host)
    D.proxy_on_context_create(2, 1)
    ctx = D._http[2]
    token = ctx.dispatch_http_call("c", {":method": "GET", ":path": "/", ":authority": "a"})
    D.proxy_on_delete(2)
    D.proxy_on_http_call_response(1, token, 1, 0, 0)
    assert host.effective is None


def test_grpc_call_and_stream_routing(host: FakeHost) -> None:
    got: list[object] = []

    class R(proxy_wasm.RootContext):
        def on_grpc_call_response(self, token: int, status_code: int, message_size: int) -> None:
            got.append(("call", token, status_code, message_size, self.get_grpc_receive_buffer()))

        def on_grpc_stream_receive_initial_metadata(self, token: int, num_elements: int) -> None:
            got.append(("meta", token, num_elements))

        def on_grpc_stream_receive_body(self, token: int, message_size: int) -> None:
            got.append(("body", token, message_size))

        def on_grpc_stream_close(self, token: int, status_code: int) -> None:
            got.append(("close", token, status_code, self.get_grpc_status()))

    proxy_wasm.set_root_context(R)
    start(host)
    root = D._roots[1]
    call = root.dispatch_grpc_call("grpc", "svc", "M", {}, b"req", 2.0)
    stream = root.create_grpc_stream("grpc", "svc", "S")
    host.buffers[5] = b"pong"
    D.proxy_on_grpc_receive(1, call, 4)
    D.proxy_on_grpc_receive_initial_metadata(1, stream, 2)
    D.proxy_on_grpc_receive(1, stream, 3)
    host.status = (14, b"unavailable")
    D.proxy_on_grpc_close(1, stream, 14)
    assert got == [
        ("call", call, 0, 4, b"pong"),
        ("meta", stream, 2),
        ("body", stream, 3),
        ("close", stream, 14, (14, "unavailable")),
    ]
    assert not _state.state.grpc_calls and not _state.state.grpc_streams


def test_reset_forgets_everything(host: FakeHost) -> None:
    proxy_wasm.set_root_context(Root)
    proxy_wasm.set_http_context(Http)
    proxy_wasm.set_exception_policy(ExceptionPolicy.CONTINUE)
    start(host)
    D.proxy_on_context_create(2, 1)
    D.reset()
    assert not D._contexts and not D._roots and not D._http
    assert D.callback_mask() == 0
    assert _state.state.policy is ExceptionPolicy.LOCAL_REPLY_500
    D.proxy_on_context_create(1, 0)
    assert type(D._roots[1]) is proxy_wasm.RootContext


def test_on_done_false_and_done(host: FakeHost) -> None:
    class Later(proxy_wasm.HttpContext):
        def on_done(self) -> bool:
            return False

    proxy_wasm.set_http_context(Later)
    start(host)
    D.proxy_on_context_create(2, 1)
    assert D.proxy_on_done(2) == 0
    D._http[2].done()
    assert "proxy_done" in host.names()
    assert host.mask is not None and host.mask & callback_bit("proxy_on_done")


def test_returning_none_means_continue(host: FakeHost) -> None:
    class Lazy(proxy_wasm.HttpContext):
        def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
            return None  # type: ignore[return-value]

    proxy_wasm.set_http_context(Lazy)
    start(host)
    D.proxy_on_context_create(2, 1)
    # Passed through as is: the C shim and the null runtime both read None as CONTINUE (0).
    assert D.proxy_on_request_headers(2, 0, 1) is None


def test_every_stream_gets_its_own_fresh_context_on_the_short_path(host: FakeHost) -> None:
    class Plain(proxy_wasm.HttpContext):
        hits = 0

        def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
            self.hits += 1
            return Action.CONTINUE

    proxy_wasm.set_http_context(Plain)
    start(host)
    for cid in (2, 3, 4):  # the first one takes the long path (the class is new)
        D.proxy_on_context_create(cid, 1)
        D.proxy_on_request_headers(cid, 1, 1)
    contexts = [cast(Plain, D._http[cid]) for cid in (2, 3, 4)]
    assert [c.context_id for c in contexts] == [2, 3, 4]
    assert [c.hits for c in contexts] == [1, 1, 1] and len({id(c) for c in contexts}) == 3
    for cid in (2, 3, 4):
        D.proxy_on_delete(cid)
    assert not D._http and not D._contexts.keys() - {1}

    proxy_wasm.set_http_context(Http)  # its own __init__ sees the id on the short path too
    D.proxy_on_context_create(5, 1)
    D.proxy_on_context_create(6, 1)
    assert D._http[6].seen_id_in_init == 6  # type: ignore[attr-defined]
