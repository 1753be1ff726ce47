"""shared_data: a CAS-updated counter shared by workers (null, wasm, Envoy)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm.testing import Host

FILTER = Path(__file__).with_name("filter.py")
KEY = b"example_shared_data.requests"
REQUEST = {":method": "GET", ":path": "/", ":authority": "example"}


def _one_request(host: Host) -> str | None:
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    upstream_saw = stream.request_header("x-request-number")
    stream.send_response_headers({":status": "200"}, end_of_stream=True)
    assert stream.response_header("x-request-number") == upstream_saw
    stream.complete()
    return upstream_saw


def _interfere(host: Host, times: int) -> list[int]:
    """After each of the next ``times`` reads of the counter, another worker writes it."""
    emulator = host.emulator
    real_get = emulator.proxy_get_shared_data
    interfered: list[int] = []

    def get_then_other_worker_writes(key: bytes) -> Any:
        result = real_get(key)
        if key == KEY and len(interfered) < times:
            _status, entry = result
            current = int(entry[0]) if entry else 0
            host.set_shared_data(KEY, str(current + 100))  # a new CAS: the filter's is stale
            interfered.append(current + 100)
        return result

    emulator.proxy_get_shared_data = get_then_other_worker_writes  # type: ignore[method-assign]
    return interfered


def test_numbers_requests_with_the_shared_counter(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    assert [_one_request(host) for _ in range(3)] == ["1", "2", "3"]
    assert host.shared_data[KEY][0] == b"3"


def test_a_concurrent_update_makes_the_filter_retry(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    host.set_shared_data(KEY, "5")
    interfered = _interfere(host, times=2)
    # Attempt 1 reads 5, the other worker writes 105: CasMismatch. Attempt 2 reads 105, the
    # other worker writes 205: CasMismatch. Attempt 3 reads 205 and writes 206.
    assert _one_request(host) == "206"
    assert interfered == [105, 205]
    assert host.shared_data[KEY][0] == b"206"
    retries = [m for m in host.info_logs if "another worker updated it first" in m]
    assert len(retries) == 2
    assert "request #206 (retries: 2)" in host.debug_logs


def test_a_concurrent_first_write_is_not_lost(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    interfered = _interfere(host, times=1)
    # The key is absent; before the filter writes "1", another worker creates it with 100. The
    # filter's create-only CAS fails, it reads 100 and writes 101.
    assert _one_request(host) == "101"
    assert interfered == [100]


def test_gives_up_after_too_many_conflicts(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    _interfere(host, times=1000)
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, end_of_stream=True)
    assert stream.local_response is not None
    assert stream.local_response.status_code == 500  # the SDK's default exception policy
    assert any("still contended after 16 attempts" in m for m in host.error_logs)


# -- Envoy ---------------------------------------------------------------------------------------


def _get(url: str) -> tuple[int, dict[str, Any]]:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return int(resp.headers["x-request-number"]), json.loads(resp.read())


@pytest.mark.envoy
def test_envoy_counts_requests_in_shared_data(examples_envoy: Any) -> None:
    base = examples_envoy.url("shared_data")
    first, echoed = _get(base + "/a")
    assert echoed["headers"]["x-request-number"] == str(first)  # the upstream saw it
    second, _ = _get(base + "/b")
    assert second == first + 1


@pytest.mark.envoy
def test_envoy_workers_share_one_counter(tmp_path: Path) -> None:
    """Two worker threads (two VMs) and concurrent requests: every number is handed out once."""
    from proxy_wasm_compiler.build import build_filter
    from proxy_wasm_envoy import ListenerSpec, start_envoy

    wasm = build_filter(FILTER, tmp_path / "shared_data.wasm").path
    envoy = start_envoy([ListenerSpec("counter", wasm_path=wasm)], concurrency=2, ready_timeout=120)
    try:
        url = envoy.url("counter") + "/n"
        with ThreadPoolExecutor(max_workers=8) as pool:
            numbers = sorted(n for n, _ in pool.map(_get, [url] * 40))
        assert numbers == list(range(1, 41))  # no number lost or handed out twice
        vms = {line for line in envoy.logs() if "Thread-Local Wasm created" in line}
        assert len(vms) >= 2  # the counter really is shared by several VMs
    finally:
        envoy.stop()
