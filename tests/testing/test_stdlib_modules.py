"""Stdlib modules with dynamic or threading imports work the same in both runtimes."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proxy_wasm.testing import Host

FILTER = Path(__file__).parent / "filters" / "stdlib_filter.py"


@pytest.fixture
def root_logger_handlers() -> Iterator[None]:
    """The null runtime runs the filter in this process: undo the handler it installs."""
    before = list(logging.getLogger().handlers)
    yield
    logging.getLogger().handlers[:] = before


@pytest.mark.usefixtures("root_logger_handlers")
def test_hashlib_and_logging(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    stream = host.http_stream()
    stream.send_request_headers({":path": "/", "x-user": "alice"})
    expected = hashlib.sha256(b"alice").hexdigest()[:16]
    assert stream.request_header("x-user-digest") == expected
    assert f"digest for alice is {expected}" in host.warn_logs


def test_an_import_that_cannot_work_in_a_proxy_fails_in_both_runtimes(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    from proxy_wasm_compiler.errors import UserError

    forbidden = Path(__file__).parent.parent / "compiler" / "filters" / "forbidden_direct"
    with pytest.raises(UserError) as info:
        proxy_wasm_host(forbidden / "filter.py")
    assert "'socket' cannot work in a proxy" in str(info.value)
    assert str(info.value).startswith(f"{forbidden / 'filter.py'}:2:1:")
