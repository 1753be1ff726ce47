"""http_routing: x-route-to follows x-user-group, and the route cache is cleared."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")


@pytest.mark.parametrize(
    ("group", "target"),
    [("beta", "canary"), ("Internal", "canary"), ("public", "stable"), (None, "stable")],
)
def test_sets_route_header_and_clears_cache(
    proxy_wasm_host: Callable[..., Host], group: str | None, target: str
) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    headers = {":path": "/", ":authority": "example"}
    if group is not None:
        headers["x-user-group"] = group
    assert host.route_cache_cleared == 0
    assert stream.send_request_headers(headers, True) == Action.CONTINUE
    assert stream.request_header("x-route-to") == target
    assert host.route_cache_cleared == 1
    assert host.info_logs == [f"group {(group or '-').lower()!r} -> {target} (route cache cleared)"]


def test_client_cannot_choose_the_route(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "x-route-to": "canary"}, True)
    assert [v for k, v in stream.request_headers if k == "x-route-to"] == ["stable"]


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    # The shared Envoy routes everything to the `upstream` echo cluster; the echo shows the
    # header the router matched on, and a 200 shows Envoy accepted clear_route_cache (an
    # unknown foreign function would raise in the filter and end in a 500).
    base = examples_envoy.url("http_routing")
    seen = {}
    for group in ("beta", "public"):
        request = urllib.request.Request(base + "/r", headers={"x-user-group": group})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert resp.status == 200
            seen[group] = json.loads(resp.read())["headers"]["x-route-to"]
    assert seen == {"beta": "canary", "public": "stable"}
    record = examples_envoy.wait_for_log(
        lambda r: (
            "http_routing" in r.message and "'beta' -> canary (route cache cleared)" in r.message
        )
    )
    assert record is not None
