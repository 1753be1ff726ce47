"""An exception while a stream waits for a callout: the default policy answers 500, CONTINUE
resumes the stream (it never hangs), and either way one error entry is logged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "failing_callout_filter.py"


def _stream_after_failed_callout(make: Callable[..., Host], policy: str) -> tuple[Host, object]:
    host = make(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "x-policy": policy})
    assert stream.request_paused
    (callout,) = host.http_callouts()
    callout.respond({":status": "200"}, b"?")
    return host, stream


def test_default_policy_answers_500(proxy_wasm_host: Callable[..., Host]) -> None:
    host, stream = _stream_after_failed_callout(proxy_wasm_host, "default")
    assert stream.local_response is not None  # type: ignore[attr-defined]
    assert stream.local_response.status_code == 500  # type: ignore[attr-defined]
    assert len(host.error_logs) == 1 and "auth answer not understood" in host.error_logs[0]


def test_continue_policy_resumes_the_waiting_stream(proxy_wasm_host: Callable[..., Host]) -> None:
    host, stream = _stream_after_failed_callout(proxy_wasm_host, "continue")
    assert stream.local_response is None  # type: ignore[attr-defined]
    assert not stream.request_paused  # type: ignore[attr-defined]
    assert len(host.error_logs) == 1 and "auth answer not understood" in host.error_logs[0]
