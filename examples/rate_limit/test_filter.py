"""rate_limit: a CAS-safe token bucket per client in shared data (null, wasm, Envoy)."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host

FILTER = Path(__file__).with_name("filter.py")
CONFIG = {"requests": 3, "period": 60, "client_header": "x-client-id"}  # a token per 20 s
T0 = 1_800_000_000 * 10**9


def _host(make: Callable[..., Host]) -> Host:
    host = make(FILTER, plugin_config=CONFIG, start_time_ns=T0)
    assert host.start()
    return host


def _request(host: Host, client: str | None = "alice") -> tuple[int, dict[str, str]]:
    """Send a request; return (status, response headers): 429 is the filter's local reply."""
    stream = host.http_stream()
    headers = {":method": "GET", ":path": "/", ":authority": "example"}
    if client is not None:
        headers["x-client-id"] = client
    action = stream.send_request_headers(headers, end_of_stream=True)
    reply = stream.local_response
    if reply is not None:
        assert action == Action.PAUSE
        stream.complete()
        return reply.status_code, {k.decode(): v.decode() for k, v in reply.headers}
    assert action == Action.CONTINUE
    stream.send_response_headers({":status": "200"}, end_of_stream=True)
    result = {k: v for k, v in stream.response_headers if not k.startswith(":")}
    stream.complete()
    return 200, result


def test_allows_a_burst_then_answers_429_with_retry_after(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    host = _host(proxy_wasm_host)
    results = [_request(host) for _ in range(4)]
    assert [status for status, _ in results] == [200, 200, 200, 429]
    assert [h.get("x-ratelimit-remaining") for _, h in results[:3]] == ["2", "1", "0"]
    assert results[3][1]["retry-after"] == "20"  # one token comes back every 20 s
    assert results[3][1]["x-ratelimit-limit"] == "3"
    assert "client alice rate limited, retry after 20 s" in host.info_logs


def test_tokens_refill_with_the_host_clock(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _host(proxy_wasm_host)
    for _ in range(3):
        assert _request(host)[0] == 200
    host.advance_time(5)
    status, headers = _request(host)
    assert (status, headers["retry-after"]) == (429, "15")
    host.advance_time(15)  # 20 s since the bucket emptied: one token
    assert _request(host)[0] == 200
    assert _request(host)[0] == 429
    host.advance_time(600)  # refills to the bucket size, no more
    assert [_request(host)[0] for _ in range(4)] == [200, 200, 200, 429]


def test_each_client_has_its_own_bucket(proxy_wasm_host: Callable[..., Host]) -> None:
    host = _host(proxy_wasm_host)
    for _ in range(3):
        _request(host, "alice")
    assert _request(host, "alice")[0] == 429
    assert _request(host, "bob") == (200, {"x-ratelimit-remaining": "2"})
    assert _request(host, None)[0] == 200  # no header: the client's IP address
    assert b"example_rate_limit.127.0.0.1" in host.shared_data
    assert host.shared_data[b"example_rate_limit.alice"][0].startswith(b"0.000000,")


def test_a_concurrent_update_is_retried_not_overwritten(
    proxy_wasm_host: Callable[..., Host], monkeypatch: pytest.MonkeyPatch
) -> None:
    host = _host(proxy_wasm_host)
    key = b"example_rate_limit.alice"
    assert _request(host)[0] == 200  # 2 tokens left
    emulator = host.emulator
    real_get = emulator.proxy_get_shared_data
    interfered: list[bytes] = []

    def get_then_other_worker_takes_a_token(k: bytes) -> tuple[int, tuple[bytes, int] | None]:
        result = real_get(k)
        if k == key and not interfered:
            now = host.now_ns / 1e9
            interfered.append(b"1.000000,%.6f" % now)
            host.set_shared_data(key, interfered[0])  # another worker took a token meanwhile
        return result

    monkeypatch.setattr(emulator, "proxy_get_shared_data", get_then_other_worker_takes_a_token)
    # The filter read 2 tokens, but its write fails (stale CAS); it reads 1 and takes it.
    assert _request(host) == (200, {"x-ratelimit-remaining": "0"})
    assert interfered
    assert "example_rate_limit.alice: updated by another worker, retrying" in host.debug_logs
    assert _request(host)[0] == 429


def test_rejects_an_invalid_configuration(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER, plugin_config={"requests": 0})
    assert not host.start()
    assert "rate_limit: requests must be >= 1 and period > 0" in host.error_logs


# -- Envoy ---------------------------------------------------------------------------------------


def _get(url: str, client: str) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"x-client-id": client})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


@pytest.mark.envoy
def test_envoy_limits_each_client_to_its_bucket(examples_envoy: Any) -> None:
    url = examples_envoy.url("rate_limit") + "/limited"
    client = f"test-{uuid.uuid4().hex[:8]}"
    results = [_get(url, client) for _ in range(4)]
    assert [status for status, _, _ in results] == [200, 200, 200, 429]
    assert [h["x-ratelimit-remaining"] for _, h, _ in results[:3]] == ["2", "1", "0"]
    _, headers, body = results[3]
    assert 1 <= int(headers["retry-after"]) <= 20
    assert body == b"rate limit exceeded\n"
    assert _get(url, client + "-other")[0] == 200  # another client is not affected
