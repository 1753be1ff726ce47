"""Fixtures for the test-host tests: the hand-written C probe module, built once per session."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.c_modules import zig_reactor

DATA = Path(__file__).parent / "data"
FILTERS = Path(__file__).parent / "filters"


@pytest.fixture(scope="session")
def probe_wasm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/testing/data/abi_probe.c compiled with zig cc (wasm32-wasi reactor)."""
    source = DATA / "abi_probe.c"
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    out = tmp_path_factory.mktemp("probe") / f"abi_probe-{digest}.wasm"
    return zig_reactor(source, out, "-Wl,--export=malloc", "-Wl,--export=free")


@pytest.fixture
def auth_filter() -> Path:
    return FILTERS / "auth_filter.py"
