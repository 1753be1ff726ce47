"""foreign_call_on_tick: each tick calls the host's compress and uncompress functions."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from proxy_wasm.testing import Host
from proxy_wasm_envoy import RunningEnvoy

FILTER = Path(__file__).with_name("filter.py")


def test_tick_round_trips_through_compress(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    assert host.tick_period_ms == 1000
    seen: list[bytes] = []

    def compress(data: bytes) -> bytes:
        seen.append(data)
        return zlib.compress(data)

    host.register_foreign_function("compress", compress)
    host.tick()
    message = b"tick 1: hello from proxy-wasm-python! " * 4
    assert seen == [message]
    compressed = zlib.compress(message)
    assert host.info_logs == [
        f"tick 1: compress {len(message)} -> {len(compressed)} bytes "
        f"({compressed[:4].hex()}...), uncompress gives the message back"
    ]


def test_a_broken_uncompress_is_reported(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    host.register_foreign_function("uncompress", lambda data: b"something else")
    host.advance_time(2.0)
    assert len(host.info_logs) == 2
    assert host.info_logs[1].startswith("tick 2: compress")
    assert all(m.endswith("uncompress DIFFERS") for m in host.info_logs)


def test_missing_foreign_function_is_an_error(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    del host.emulator.foreign_functions["compress"]
    host.tick()
    assert host.info_logs == []
    assert any("NotFound: the host has no foreign function" in m for m in host.error_logs)


@pytest.mark.envoy
def test_envoy_compress_round_trip(examples_envoy: RunningEnvoy) -> None:
    # Envoy logs a root context's messages without the plugin name: match the text.
    record = examples_envoy.wait_for_log(
        lambda r: re.search(r"tick \d+: compress 1\d\d -> \d+ bytes", r.message) is not None
    )
    assert record is not None
    assert "uncompress gives the message back" in record.message
