"""vm_plugin_configuration: both configurations are read and logged."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing.host import Host
from proxy_wasm_envoy import RunningEnvoy
from proxy_wasm_envoy.logs import LogRecord

FILTER = Path(__file__).with_name("filter.py")


def test_logs_both_configurations(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, vm_config=b"vm-bytes", plugin_config={"name": "p"})
    assert host.start_vm()
    assert host.info_logs == ["vm configuration (8 bytes): vm-bytes"]
    assert host.start_plugin()
    assert host.info_logs[-1] == 'plugin configuration (13 bytes): {"name": "p"}'


def test_without_configuration(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    assert host.info_logs == [
        "vm configuration (0 bytes): (none)",
        "plugin configuration (0 bytes): (none)",
    ]


@pytest.mark.envoy
def test_in_envoy(examples_envoy: RunningEnvoy) -> None:
    # example.yaml's mappings arrive as compact JSON; Envoy prints root context logs without
    # the plugin name.
    def logged(message: str) -> Callable[[LogRecord], bool]:
        return lambda record: record.is_wasm_log and message in record.message

    vm = examples_envoy.wait_for_log(
        logged('vm configuration (28 bytes): {"name":"vm-config-example"}')
    )
    assert vm is not None
    plugin = examples_envoy.wait_for_log(
        logged('plugin configuration (32 bytes): {"name":"plugin-config-example"}')
    )
    assert plugin is not None
    url = examples_envoy.url("vm_plugin_configuration") + "/"
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.status == 200
