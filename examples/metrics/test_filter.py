"""metrics: counter per method, in-flight gauge, header-size histogram (null, wasm, Envoy)."""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm.testing import Host

FILTER = Path(__file__).with_name("filter.py")
GET = "example_metrics.method.GET.requests"
POST = "example_metrics.method.POST.requests"
OTHER = "example_metrics.method.OTHER.requests"
IN_FLIGHT = "example_metrics.in_flight"
HEADER_BYTES = "example_metrics.request_header_bytes"


def _headers(method: str, path: str = "/") -> list[tuple[str, str]]:
    return [(":method", method), (":path", path), (":authority", "example"), ("x-a", "bb")]


def test_counts_requests_per_method_with_tags_in_the_name(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    for method in ("GET", "GET", "POST", "BREW"):
        stream = host.http_stream()
        stream.send_request_headers(_headers(method), end_of_stream=True)
        stream.send_response_headers({":status": "200"}, end_of_stream=True)
        stream.complete()
    assert host.metric(GET) == 2
    assert host.metric(POST) == 1
    assert host.metric(OTHER) == 1  # unknown methods share one stat


def test_gauge_tracks_requests_in_flight(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    first, second = host.http_stream(), host.http_stream()
    first.send_request_headers(_headers("GET"), end_of_stream=True)
    second.send_request_headers(_headers("GET"), end_of_stream=True)
    assert host.metric(IN_FLIGHT) == 2
    second.send_response_headers({":status": "200"}, end_of_stream=True)
    assert second.response_header("x-in-flight") == "2"
    assert second.response_header("x-requests-for-method") == "2"
    second.complete()
    assert host.metric(IN_FLIGHT) == 1
    first.send_response_headers({":status": "200"}, end_of_stream=True)
    assert first.response_header("x-in-flight") == "1"
    first.complete()
    assert host.metric(IN_FLIGHT) == 0


def test_histogram_records_request_header_bytes(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    headers = _headers("GET", "/abc")
    stream.send_request_headers(headers, end_of_stream=True)
    stream.complete()
    expected = sum(len(k) + len(v) for k, v in headers)
    assert host.histogram(HEADER_BYTES) == [expected]
    assert any(f"{expected} header bytes" in m for m in host.debug_logs)


# -- Envoy ---------------------------------------------------------------------------------------


def _request(url: str, method: str = "GET") -> tuple[int, dict[str, str]]:
    req = urllib.request.Request(url, method=method, data=b"x" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}


def _histogram_samples(envoy: Any, name: str) -> int:
    """Samples in the cumulative histogram ``name`` (0 until Envoy merges histograms)."""
    data = json.loads(
        envoy.admin(
            "/stats?format=json&histogram_buckets=cumulative&filter=" + urllib.parse.quote(name)
        )
    )
    for stat in data.get("stats", []):
        for hist in stat.get("histograms") or []:
            if isinstance(hist, dict) and hist.get("name") == name:
                return sum(int(b.get("cumulative", 0)) for b in hist.get("buckets", [])[-1:])
    return 0


@pytest.mark.envoy
def test_envoy_shows_the_metrics_in_admin_stats(examples_envoy: Any) -> None:
    base = examples_envoy.url("metrics")
    before = examples_envoy.stats("wasmcustom.example_metrics")
    get_before = before.get("wasmcustom." + GET, 0)
    post_before = before.get("wasmcustom." + POST, 0)

    status, headers = _request(base + "/one")
    assert status == 200
    assert int(headers["x-requests-for-method"]) == get_before + 1
    assert headers["x-in-flight"] == "1"  # this request itself
    _request(base + "/two")
    _request(base + "/three", "POST")

    after = examples_envoy.stats("wasmcustom.example_metrics")
    assert after["wasmcustom." + GET] == get_before + 2
    assert after["wasmcustom." + POST] == post_before + 1
    assert after["wasmcustom." + IN_FLIGHT] == 0  # every request is done

    # Histograms reach /stats when Envoy merges them (every stats flush, 5 s by default).
    deadline = time.monotonic() + 20
    samples = 0
    while time.monotonic() < deadline:
        samples = _histogram_samples(examples_envoy, "wasmcustom." + HEADER_BYTES)
        if samples >= 3:
            break
        time.sleep(0.5)
    assert samples >= 3
