"""os.environ in a filter is the proxy's environment for the VM, not the build machine's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "environment_filter.py"


def test_filter_sees_the_vm_environment(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, environment={"GREETING": "hello from the proxy"})
    assert host.start()
    assert "greeting is hello from the proxy" in host.info_logs
