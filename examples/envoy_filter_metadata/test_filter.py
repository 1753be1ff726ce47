"""envoy_filter_metadata: dynamic metadata from another filter becomes request headers."""

from __future__ import annotations

import json
import struct
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
REQUEST = {":method": "GET", ":path": "/", ":authority": "example"}
NS = ("metadata", "filter_metadata", "example.tenant")


def test_metadata_becomes_headers(proxy_wasm_host: Callable[..., Host]) -> None:
    # What Envoy returns for the struct set by set_metadata: strings raw, numbers as doubles.
    host = proxy_wasm_host(
        FILTER,
        properties={
            (*NS, "tenant"): "acme",
            (*NS, "tier"): "gold",
            (*NS, "quota"): struct.pack("<d", 100.0),
        },
    )
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(REQUEST, end_of_stream=True) == Action.CONTINUE
    assert stream.request_header("x-tenant") == "acme"
    assert stream.request_header("x-tenant-tier") == "gold"
    assert stream.request_header("x-tenant-quota") == "100"
    assert host.info_logs == [f"#{stream.context_id} tenant acme (tier gold, quota 100.0)"]


def test_defaults_when_fields_are_missing(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, properties={(*NS, "tenant"): "solo"})
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    assert stream.request_header("x-tenant") == "solo"
    assert stream.request_header("x-tenant-tier") == "standard"
    assert stream.request_header("x-tenant-quota") is None


def test_no_metadata_no_headers(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(REQUEST, end_of_stream=True) == Action.CONTINUE
    assert stream.request_header("x-tenant") is None
    assert host.warn_logs == [f"#{stream.context_id} no example.tenant metadata"]


@pytest.mark.envoy
def test_envoy_reads_set_metadata(examples_envoy: RunningEnvoy) -> None:
    with urllib.request.urlopen(
        examples_envoy.url("envoy_filter_metadata") + "/t", timeout=10
    ) as resp:
        echoed = json.loads(resp.read())
    headers = echoed["headers"]
    assert headers["x-tenant"] == "acme"
    assert headers["x-tenant-tier"] == "gold"
    assert headers["x-tenant-quota"] == "100"
