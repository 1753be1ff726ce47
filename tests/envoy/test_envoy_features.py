"""SDK features shown in Envoy 1.40 and in the test host (null and wasm): gRPC streaming to a
real grpcio server, response trailers, the exception policy around callouts, and the VM's
environment variables."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm.testing import Host
from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_envoy import ClusterSpec, ListenerSpec, RunningEnvoy, start_envoy
from tests.http_support import echoed, get

FILTER = Path(__file__).parent / "filters" / "grpc_stream_filter.py"


def test_stream_in_the_test_host(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "x-say": "hello world"})
    assert stream.request_paused
    (call,) = host.grpc_calls()
    assert (call.kind, call.service, call.method) == ("stream", "chat.Chat", "Talk")
    assert call.messages == [b"hello", b"world"] and call.local_closed
    call.send_message(b"HELLO")
    call.send_message(b"WORLD")
    call.close(0)
    assert not stream.request_paused
    assert stream.request_header("x-chat-reply") == "HELLO WORLD"
    assert stream.request_header("x-chat-status") == "0"
    assert "chat closed with 0 after 2 replies" in host.info_logs


class ChatServer:
    """``chat.Chat/Talk``: a bidirectional stream answering each message in upper case."""

    def __init__(self) -> None:
        import grpc

        def talk(requests: Iterator[bytes], context: Any) -> Iterator[bytes]:
            for message in requests:
                yield message.upper()

        handler = grpc.method_handlers_generic_handler(
            "chat.Chat", {"Talk": grpc.stream_stream_rpc_method_handler(talk)}
        )
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=[handler])
        self.port = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    def stop(self) -> None:
        self._server.stop(grace=None)


@pytest.fixture(scope="module")
def chat_envoy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEnvoy]:
    wasm = build_filter(
        FILTER, tmp_path_factory.mktemp("grpc") / "chat.wasm", options=BuildOptions(reuse=True)
    ).path
    server = ChatServer()
    try:
        envoy = start_envoy(
            [ListenerSpec("chat", wasm_path=wasm)], [ClusterSpec("chat", server.port, http2=True)]
        )
        try:
            yield envoy
        finally:
            envoy.stop()
    finally:
        server.stop()


@pytest.mark.envoy
def test_stream_through_envoy_to_a_grpc_server(chat_envoy: RunningEnvoy) -> None:
    status, _headers, body = get(chat_envoy.url("chat") + "/talk", {"x-say": "hello proxy wasm"})
    assert status == 200
    seen = echoed(body)["headers"]
    assert seen["x-chat-reply"] == "HELLO PROXY WASM"
    assert seen["x-chat-status"] == "0"


TRAILERS_FILTER = Path(__file__).parent / "filters" / "trailers_filter.py"


def test_response_trailers_in_the_test_host(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(TRAILERS_FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/chat.Chat/Talk", ":method": "POST"})
    stream.send_response_headers({":status": "200", "content-type": "application/grpc"})
    stream.send_response_trailers({"grpc-status": "0"})
    assert dict(stream.response_trailers) == {"grpc-status": "0", "x-filter-saw-status": "0"}
    assert "response trailers: 1, grpc-status 0" in host.info_logs


@pytest.mark.envoy
def test_response_trailers_of_a_grpc_call_through_envoy(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    import grpc

    wasm = build_filter(
        TRAILERS_FILTER,
        tmp_path_factory.mktemp("trailers") / "t.wasm",
        options=BuildOptions(reuse=True),
    ).path
    server = ChatServer()
    try:
        envoy = start_envoy(
            [ListenerSpec("grpc", wasm_path=wasm, cluster="chat")],
            [ClusterSpec("chat", server.port, http2=True)],
        )
        try:
            channel = grpc.insecure_channel(f"127.0.0.1:{envoy.port('grpc')}")
            talk = channel.stream_stream("/chat.Chat/Talk")
            call = talk(iter([b"a", b"b"]), timeout=10)
            assert list(call) == [b"A", b"B"]
            trailers = dict(call.trailing_metadata() or ())
            assert trailers["x-filter-saw-status"] == "0"  # added by the filter in Envoy
            channel.close()
        finally:
            envoy.stop()
    finally:
        server.stop()


def _wait_for_logs(envoy: RunningEnvoy, text: str, count: int, timeout: float = 10) -> list[str]:
    """The filter's error log messages once ``count`` of them contain ``text`` (Envoy's log
    lines arrive asynchronously) or ``timeout`` has passed."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        errors = [e.message for e in envoy.wasm_logs() if e.level in ("error", "err")]
        if sum(text in m for m in errors) >= count or time.monotonic() > deadline:
            return errors
        time.sleep(0.05)


@pytest.mark.envoy
def test_failing_callout_handler_in_envoy(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Default policy: 500; CONTINUE: the request goes on to the upstream (never hangs)."""
    from proxy_wasm_envoy import EchoServer

    source = Path(__file__).parent.parent / "testing" / "filters" / "failing_callout_filter.py"
    wasm = build_filter(
        source, tmp_path_factory.mktemp("callout") / "f.wasm", options=BuildOptions(reuse=True)
    ).path
    with EchoServer() as auth:
        envoy = start_envoy([ListenerSpec("f", wasm_path=wasm)], [ClusterSpec("auth", auth.port)])
        try:
            status, _headers, body = get(envoy.url("f") + "/a", {"x-policy": "default"})
            assert (status, body) == (500, b"internal filter error")
            status, _headers, body = get(envoy.url("f") + "/b", {"x-policy": "continue"})
            assert status == 200 and echoed(body)["path"] == "/b"
            errors = _wait_for_logs(envoy, "auth answer not understood", 2)
            assert sum("auth answer not understood" in m for m in errors) == 2, errors
        finally:
            envoy.stop()


@pytest.mark.envoy
def test_vm_environment_variables_reach_os_environ(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    from proxy_wasm_envoy import PluginSpec

    source = Path(__file__).parent.parent / "testing" / "filters" / "environment_filter.py"
    wasm = build_filter(
        source, tmp_path_factory.mktemp("env") / "env.wasm", options=BuildOptions(reuse=True)
    ).path
    plugin = PluginSpec(wasm_path=wasm, name="env", environment={"GREETING": "from envoy"})
    envoy = start_envoy([ListenerSpec("env", plugins=[plugin])])
    try:
        status, _headers, _body = get(envoy.url("env") + "/")
        assert status == 200
        record = envoy.wait_for_log(
            lambda r: (entry := r.wasm()) is not None and entry.message == "greeting is from envoy"
        )
        assert record is not None, envoy.wasm_logs()
    finally:
        envoy.stop()


@pytest.mark.envoy
def test_timers_share_the_tick_in_envoy(tmp_path_factory: pytest.TempPathFactory) -> None:
    import time

    source = Path(__file__).parent.parent / "testing" / "filters" / "timers_filter.py"
    wasm = build_filter(
        source, tmp_path_factory.mktemp("timers") / "t.wasm", options=BuildOptions(reuse=True)
    ).path
    envoy = start_envoy([ListenerSpec("timers", wasm_path=wasm)])
    try:
        deadline = time.monotonic() + 20
        messages: list[str] = []
        while time.monotonic() < deadline and "heartbeat 3" not in messages:
            time.sleep(0.2)
            messages = [e.message for e in envoy.wasm_logs()]
        # Each VM (main thread and worker) runs its own timers; each sees this order.
        first = messages.index("heartbeat 1")
        assert messages.index("once at 2.5 s") > messages.index("heartbeat 2") > first
        assert "never" not in messages
    finally:
        envoy.stop()
