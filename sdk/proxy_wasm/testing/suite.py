"""Declarative test suites in YAML, run on the test host (null or wasm runtime).

The format and its checks are in :mod:`proxy_wasm.testing.suite_load`, the expectations in
:mod:`proxy_wasm.testing.suite_check` (shared with ``proxy_wasm_envoy.suite_runner``, which runs
the same suites through a real Envoy). This module drives each test's stream through a
:class:`~proxy_wasm.testing.Host`::

    results = run_suite("tests.yaml", "wasm")
    assert all(r.passed for r in results)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from proxy_wasm.testing.host import Host
from proxy_wasm.testing.suite_check import (
    MetricSource,
    ReplySource,
    TestResult,
    check_expectation,
)
from proxy_wasm.testing.suite_load import (
    PHASES,
    Expectation,
    Invocation,
    Matcher,
    Suite,
    SuiteError,
    SuiteTest,
    load_suite,
)

__all__ = [
    "PHASES",
    "Expectation",
    "Invocation",
    "Matcher",
    "MetricSource",
    "ReplySource",
    "Suite",
    "SuiteError",
    "SuiteTest",
    "TestResult",
    "check_expectation",
    "load_suite",
    "make_host",
    "run_suite",
]


def _run_stream(host: Host, test: SuiteTest) -> list[str]:
    fails: list[str] = []
    mark = len(host.emulator.logs)

    def new_logs() -> list[str]:
        nonlocal mark
        out = [m for _, m in host.emulator.logs[mark:]]
        mark = len(host.emulator.logs)
        return out

    stream = host.http_stream()
    fails += check_expectation(
        host, stream, test.stream_init, "stream_init", new_logs(), None, None, None
    )
    present = [p for p in PHASES if p in test.phases]
    for phase in PHASES:
        invocations = test.phases.get(phase)
        if not invocations:
            continue
        if stream.local_response is not None:
            break
        response = phase.startswith("response")
        later = present[present.index(phase) + 1 :]
        for i, inv in enumerate(invocations):
            last = i == len(invocations) - 1
            if phase.endswith("headers"):
                nxt_same_dir = any(
                    p.startswith("response" if response else "request") for p in later
                )
                eos = inv.end_of_stream if inv.end_of_stream is not None else not nxt_same_dir
                action = (
                    stream.send_response_headers if response else stream.send_request_headers
                )(inv.headers, eos)
                hdrs = stream.response_headers if response else stream.request_headers
                body = None
            elif phase.endswith("body"):
                more = any(
                    p == ("response_trailers" if response else "request_trailers") for p in later
                )
                eos = inv.end_of_stream if inv.end_of_stream is not None else (last and not more)
                action = (stream.send_response_body if response else stream.send_request_body)(
                    inv.content, eos
                )
                hdrs = None
                body = stream.response_body if response else stream.request_body
            else:
                action = (
                    stream.send_response_trailers if response else stream.send_request_trailers
                )(inv.trailers)
                hdrs = stream.response_trailers if response else stream.request_trailers
                body = None
            label = phase if len(invocations) == 1 else f"{phase}[{i}]"
            fails += check_expectation(
                host, stream, inv.result, label, new_logs(), hdrs, body, action
            )
            if stream.local_response is not None:
                break
    stream.complete()
    fails += check_expectation(
        host, stream, test.stream_destroy, "stream_destroy", new_logs(), None, None, None
    )
    return fails


def make_host(suite: Suite, runtime: str) -> Host:
    """A fresh :class:`Host` for ``suite`` in ``runtime`` with the suite's options."""
    return Host(suite.filter, runtime=runtime, **suite.host_options)  # type: ignore[arg-type]


def run_suite(
    path: str | Path,
    runtime: str = "null",
    *,
    benchmark: bool = False,
    min_seconds: float = 0.5,
    host_factory: Callable[[Suite, str], Host] | None = None,
) -> list[TestResult]:
    """Run every test of a suite on a fresh host each; return one result per test.

    ``benchmark`` (or a test's ``benchmark: true``) also repeats the test for ``min_seconds``
    and reports the mean time per callback in microseconds.
    """
    suite = load_suite(path)
    factory = host_factory or make_host
    results: list[TestResult] = []
    for test in suite.tests:
        host = factory(suite, runtime)
        failures: list[str] = []
        started = host.start()
        if not started:
            failures.append(
                "plugin_init: the plugin refused to start (on_vm_start/on_configure returned false)"
            )
        failures += check_expectation(
            host, None, suite.plugin_init, "plugin_init", host.logs(), None, None, None
        )
        if started:
            failures += _run_stream(host, test)
        result = TestResult(test.name, not failures, failures)
        if started and (benchmark or test.benchmark):
            host.emulator.timings = {}
            deadline = time.perf_counter() + min_seconds
            n = 0
            while n < 10 or time.perf_counter() < deadline:
                _run_stream(host, test)
                n += 1
                if len(host.emulator.logs) > 10_000:
                    host.emulator.logs.clear()
            result.iterations = n
            result.timings_us = {
                name: 1e6 * sum(ts) / len(ts) for name, ts in host.emulator.timings.items() if ts
            }
            host.emulator.timings = None
        results.append(result)
    return results
