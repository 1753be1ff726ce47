"""http_config: the configuration drives the filter; a bad one is rejected with its JSON path."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from proxy_wasm import Action
from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")
CONFIG: dict[str, Any] = yaml.safe_load(Path(__file__).with_name("example.yaml").read_text())[
    "config"
]


def test_applies_the_configuration(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, plugin_config=CONFIG)
    assert host.start()
    assert host.info_logs == [
        "configured: 1 request header(s), 1 response header(s), 1 denied path(s)"
    ]
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/x", "x-tenant": "evil"}, True) == Action.CONTINUE
    assert [v for k, v in stream.request_headers if k == "x-tenant"] == ["acme"]
    stream.send_response_headers({":status": "200"}, True)
    assert stream.response_header("x-configured-by") == "http_config"


def test_denied_path_gets_403(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, plugin_config=CONFIG)
    assert host.start()
    stream = host.http_stream()
    assert stream.send_request_headers({":path": "/admin?x=1"}, True) == Action.PAUSE
    assert stream.local_response is not None
    assert stream.local_response.status_code == 403
    assert stream.local_response.body == b"denied by config\n"


def test_empty_configuration_uses_the_defaults(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/admin"}, True)
    assert stream.local_response is None
    assert stream.request_headers == [(":path", "/admin")]


@pytest.mark.parametrize(
    ("config", "error"),
    [
        (
            {"response_headers": [{"name": "x-a", "value": 5}]},
            "$.response_headers[0].value: expected str, got 5",
        ),
        (
            {"request_headers": [{"name": "x-a"}]},
            "$.request_headers[0]: missing required key 'value'",
        ),
        ({"deny_path": ["/x"]}, "$: unknown key 'deny_path'"),
        ('{"deny_paths": [', "line 1 column 17: invalid JSON"),
    ],
)
def test_bad_configuration_is_rejected(
    proxy_wasm_host: Callable[..., Host], config: object, error: str
) -> None:
    host = proxy_wasm_host(FILTER, plugin_config=config)
    assert host.start_vm()
    assert not host.start_plugin()
    # the filter's own message first (the host then reports that on_configure returned False)
    assert host.error_logs[0].startswith(f"invalid plugin configuration: {error}")


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    base = examples_envoy.url("http_config")
    with urllib.request.urlopen(base + "/hello", timeout=10) as resp:
        assert resp.headers["x-configured-by"] == "http_config"
        echoed = json.loads(resp.read())
    assert echoed["headers"]["x-tenant"] == "acme"
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(base + "/admin", timeout=10)
    assert info.value.code == 403
    assert info.value.read() == b"denied by config\n"
