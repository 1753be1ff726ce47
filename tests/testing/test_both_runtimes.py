"""One test body, both runtimes: an SDK filter in the null runtime and compiled in wasmtime."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "auth_filter.py"

MakeHost = Callable[..., Host]


@pytest.fixture
def host(proxy_wasm_host: MakeHost) -> Host:
    h = proxy_wasm_host(FILTER, plugin_config={"name": "bob"})
    assert h.start()
    return h


def test_configure_logs_and_sibling_module(host: Host) -> None:
    assert host.info_logs == ["configured: ['name']"]
    s = host.http_stream()
    assert s.send_request_headers({":path": "/x"}) == Action.CONTINUE
    assert s.request_headers == [(":path", "/x"), ("x-greeting", "hello bob")]


def test_body_buffered_until_end_of_stream(host: Host) -> None:
    s = host.http_stream()
    s.send_request_headers({":path": "/x"})
    assert s.send_request_body("abc") == Action.PAUSE
    assert s.send_request_body("de", end_of_stream=True) == Action.CONTINUE
    assert s.request_body == b"ABCDE"


def test_request_headers_unavailable_in_response_phase(host: Host) -> None:
    s = host.http_stream()
    s.send_request_headers({":path": "/x"}, end_of_stream=True)
    s.send_response_headers({":status": "200"}, end_of_stream=True)
    assert s.response_header("x-req-headers") == "unavailable"
    s.complete()


def test_local_reply(host: Host) -> None:
    s = host.http_stream()
    assert s.send_request_headers({":path": "/deny"}) == Action.PAUSE
    lr = s.local_response
    assert lr is not None
    assert (lr.status_code, lr.headers, lr.body) == (403, [(b"x-reason", b"denied")], b"no")


def test_exception_becomes_one_error_log_and_500(host: Host) -> None:
    s = host.http_stream()
    assert s.send_request_headers({":path": "/raise"}) == Action.PAUSE
    assert s.local_response is not None and s.local_response.status_code == 500
    (error,) = host.error_logs
    raise_line = next(
        n for n, text in enumerate(FILTER.read_text().splitlines(), 1) if "raise ValueError" in text
    )
    assert "auth_filter.py" in error and f"line {raise_line}" in error
    assert "ValueError: boom" in error


@pytest.mark.parametrize(("answer", "granted"), [(b"ok", True), (b"no", False)])
def test_http_callout(host: Host, answer: bytes, granted: bool) -> None:
    s = host.http_stream()
    assert s.send_request_headers({":path": "/call"}) == Action.PAUSE
    assert s.send_request_body("q", end_of_stream=True) == Action.PAUSE
    (call,) = host.http_callouts()
    assert (call.upstream, call.header(":path"), call.timeout_ms) == ("auth", "/check", 1000)
    call.respond({":status": "200"}, body=answer)
    if granted:
        assert s.request_header("x-auth") == "ok"
        assert s.action == Action.CONTINUE
        assert s.request_body == b"Q"
    else:
        assert s.local_response is not None and s.local_response.status_code == 401


def test_ticks_and_counter(host: Host) -> None:
    assert host.tick_period_ms == 1000
    host.advance_time(2.5)
    assert host.metric("ticks") == 2
    host.tick()
    assert host.metric("ticks") == 3


def test_runtime_fixture_values(proxy_wasm_runtime: str) -> None:
    assert proxy_wasm_runtime in ("null", "wasm")
