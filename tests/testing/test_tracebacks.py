"""An exception in a callback is reported as Envoy reports it: one error log entry whose
traceback names the user's file, line and source text, in both runtimes; the stream gets a 500."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "raising_filter.py"


def test_traceback_points_at_the_users_source(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/boom", ":method": "GET"})
    errors = host.logs(4)
    assert len(errors) == 1, errors
    report = errors[0]
    assert report.startswith("Traceback (most recent call last):")
    assert 'raising_filter.py", line 16, in on_http_request_headers' in report
    assert 'raising_filter.py", line 11, in check' in report
    assert 'raise ValueError(f"cannot handle {path}")' in report  # the source line itself
    assert report.rstrip().endswith("ValueError: cannot handle /boom")
    assert stream.local_response is not None and stream.local_response.status_code == 500

    fine = host.http_stream()
    fine.send_request_headers({":path": "/ok", ":method": "GET"})
    assert fine.local_response is None
