"""The echo upstream answers a kept-alive connection at once (no Nagle/delayed-ACK stall)."""

from __future__ import annotations

import http.client
import statistics
import time

from proxy_wasm_envoy.upstream import EchoServer


def test_kept_alive_requests_are_not_delayed() -> None:
    with EchoServer() as echo:
        conn = http.client.HTTPConnection("127.0.0.1", echo.port, timeout=10)
        times = []
        for _ in range(20):
            start = time.perf_counter()
            conn.request("POST", "/x", body=b"abc", headers={"x-a": "1"})
            response = conn.getresponse()
            response.read()
            times.append(time.perf_counter() - start)
            assert response.status == 200
        conn.close()
    # headers and body in two small writes used to wait for the client's delayed ACK (~40 ms)
    assert statistics.median(times) < 0.02, times
