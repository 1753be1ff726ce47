"""A filter's stdout and stderr become log entries in both runtimes, one per write (as every
``fd_write`` of a module is in Envoy): stdout at info level, stderr at error level."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy_wasm.testing import Host
from proxy_wasm.testing import emulator as em
from proxy_wasm.testing.null_runtime import LogStream

FILTER = Path(__file__).parent / "filters" / "print_filter.py"


def test_print_in_callbacks_is_logged(
    proxy_wasm_host: Callable[..., Host], capsys: pytest.CaptureFixture[str]
) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    host.clear_logs()
    capsys.readouterr()
    host.http_stream().send_request_headers({":path": "/"})
    assert host.log_records == [
        (em.INFO, "partial"),
        (em.INFO, " line"),
        (em.INFO, "multi\nline"),
        (em.INFO, "logged"),
    ]
    assert capsys.readouterr() == ("", "")


def test_print_at_configure_gives_one_entry_per_write(proxy_wasm_host: Callable[..., Host]) -> None:
    host = proxy_wasm_host(FILTER)
    assert host.start()
    configure = host.log_records[host.log_records.index((em.INFO, "configured")) :]
    assert configure == [
        (em.INFO, "configured"),
        (em.INFO, " "),
        (em.INFO, "42"),
        (em.INFO, ""),
        (em.ERROR, "to stderr"),
        (em.ERROR, ""),
    ]


def test_null_runtime_logs_prints_at_import_and_restores_the_streams() -> None:
    before = sys.stdout, sys.stderr
    host = Host(FILTER, runtime="null")
    assert (sys.stdout, sys.stderr) == before
    assert host.log_records[:2] == [(em.INFO, "imported"), (em.INFO, "")]


@given(st.lists(st.text(max_size=20), max_size=8), st.sampled_from([em.INFO, em.ERROR]))
def test_every_nonempty_write_is_one_entry(writes: list[str], level: int) -> None:
    emulator = em.Emulator()
    stream = LogStream(emulator, level)
    for text in writes:
        assert stream.write(text) == len(text)
    assert emulator.logs == [(level, text.removesuffix("\n")) for text in writes if text]
