"""properties: well-known attributes are logged and copied into request headers."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
REQUEST = {":method": "POST", ":path": "/items?page=2", ":authority": "shop"}


def test_properties_become_headers(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(
        FILTER,
        plugin_name="props",
        root_id="properties_root",
        properties={"xds.cluster_name": "upstream"},
    )
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers(REQUEST, end_of_stream=True) == Action.CONTINUE
    assert stream.request_header("x-source-address") == "127.0.0.1:50000"  # the emulator's peer
    assert stream.request_header("x-plugin-name") == "props"
    assert stream.request_header("x-request-path") == "/items?page=2"
    assert stream.request_header("x-upstream-cluster") == "upstream"
    cid = stream.context_id
    assert f"#{cid} request.method = 'POST'" in host.info_logs
    assert f"#{cid} plugin_root_id = 'properties_root'" in host.info_logs
    assert f"#{cid} destination.address = '127.0.0.1:10000'" in host.info_logs
    assert f"#{cid} connection.id = {cid}" in host.info_logs


def test_absent_property_adds_no_header(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)  # no xds.cluster_name in this host
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    assert stream.request_header("x-upstream-cluster") is None
    assert f"#{stream.context_id} xds.cluster_name = None" in host.info_logs
    assert stream.request_header("x-plugin-name") == "plugin"


@pytest.mark.envoy
def test_envoy_properties(examples_envoy: RunningEnvoy) -> None:
    url = examples_envoy.url("properties") + "/items?page=2"
    with urllib.request.urlopen(url, timeout=10) as resp:
        echoed = json.loads(resp.read())
    headers = echoed["headers"]
    assert headers["x-request-path"] == "/items?page=2"
    assert headers["x-plugin-name"] == "properties"
    assert headers["x-upstream-cluster"] == "upstream"
    assert headers["x-source-address"].startswith("127.0.0.1:")
    record = examples_envoy.wait_for_log(
        lambda r: "plugin_root_id = 'properties_root'" in r.message
    )
    assert record is not None
