"""Several timers per root context, multiplexed on Proxy-Wasm's single tick period."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "timers_filter.py"


def test_timers_share_one_tick(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    # gcd(1000, 2500, 250): cancelling the 250 ms timer does not grow the period back (that
    # would restart the proxy's tick and delay the other timers).
    assert host.tick_period_ms == 250
    host.advance_time(3.2)
    info = [m for m in host.info_logs if m != "never"]
    assert info == ["heartbeat 1", "heartbeat 2", "once at 2.5 s", "heartbeat 3"]
    assert "never" not in host.info_logs
    assert len(host.error_logs) == 1 and "a failing timer callback" in host.error_logs[0]
    host.advance_time(1.0)
    assert host.info_logs[-1] == "heartbeat 4"
    assert host.tick_period_ms == 250
