"""Checking a suite's expectations against what a host (test host or real Envoy) shows.

The same :func:`check_expectation` serves every runtime: the test host
(``proxy_wasm.testing.suite``) and the Envoy runner (``proxy_wasm_envoy.suite_runner``) each pass
what they can observe; what a runtime cannot show is passed as ``None`` and left unchecked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from proxy_wasm.testing.emulator import LocalResponse
from proxy_wasm.testing.suite_load import Expectation


@dataclass
class TestResult:
    """The outcome of one suite test."""

    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    timings_us: dict[str, float] = field(default_factory=dict)  # benchmark: mean per callback
    iterations: int = 0

    __test__ = False  # not a pytest class


class MetricSource(Protocol):
    """Where a suite reads metrics: a test :class:`Host`, or a real Envoy's stats."""

    def metric(self, name: str) -> int: ...


class ReplySource(Protocol):
    """Where a suite reads the immediate (local) reply of a stream, if one was sent."""

    @property
    def local_response(self) -> LocalResponse | None: ...


def check_expectation(
    host: MetricSource,
    stream: ReplySource | None,
    e: Expectation,
    phase: str,
    logs: list[str],
    headers: list[tuple[str, str]] | None,
    body: bytes | None,
    action: int | None,
) -> list[str]:
    """Every way ``e`` is not met, one line each (``[]`` when it is).

    ``logs`` are the filter's log lines of the phase; ``headers``, ``body`` and ``action`` are
    what the phase left (``None``: not observable here, not checked).
    """
    fails: list[str] = []
    if headers is not None:
        present: dict[str, list[str]] = {}
        for k, v in headers:
            present.setdefault(k, []).append(v)
        for name, value in e.has_header:
            got = present.get(name.lower())
            if got is None:
                fails.append(f"{phase}: header {name!r} missing (headers: {headers})")
            elif value is not None and value not in got:
                fails.append(f"{phase}: header {name!r} is {got}, expected {value!r}")
        for name in e.no_header:
            if name.lower() in present:
                fails.append(f"{phase}: header {name!r} present ({present[name.lower()]})")
    if e.body and body is not None:
        text = body.decode("utf-8", "replace")
        for matcher in e.body:
            if not matcher.matches(text):
                fails.append(f"{phase}: body {text!r} does not match {matcher}")
    for matcher in e.log:
        hit = any(
            (matcher.regex.fullmatch(line) if matcher.regex else line == matcher.exact)
            for line in logs
        )
        if hit == matcher.invert:
            fails.append(
                f"{phase}: no log line matches {matcher} (logs: {logs})"
                if not matcher.invert
                else f"{phase}: a log line matches {matcher}"
            )
    if e.immediate is not None:
        lr = stream.local_response if stream is not None else None
        if lr is None:
            fails.append(f"{phase}: expected an immediate response, none was sent")
        else:
            imm = e.immediate
            if "http_status" in imm and lr.status_code != int(imm["http_status"]):
                fails.append(
                    f"{phase}: immediate status {lr.status_code}, expected {imm['http_status']}"
                )
            if "grpc_status" in imm and lr.grpc_status != int(imm["grpc_status"]):
                fails.append(
                    f"{phase}: immediate gRPC status {lr.grpc_status}, "
                    f"expected {imm['grpc_status']}"
                )
            if "details" in imm and lr.details != str(imm["details"]):
                fails.append(
                    f"{phase}: immediate details {lr.details!r}, expected {imm['details']!r}"
                )
            if "body" in imm and lr.body.decode("utf-8", "replace") != str(imm["body"]):
                fails.append(f"{phase}: immediate body {lr.body!r}, expected {imm['body']!r}")
    for metric_name, want in e.metrics.items():
        try:
            got_value = host.metric(metric_name)
        except KeyError:
            fails.append(f"{phase}: metric {metric_name!r} not defined")
            continue
        if got_value != want:
            fails.append(f"{phase}: metric {metric_name!r} is {got_value}, expected {want}")
    if e.action is not None and action is not None:
        want = 0 if e.action == "continue" else 1
        if int(action) != want:
            fails.append(
                f"{phase}: action {'continue' if int(action) == 0 else 'pause'}, "
                f"expected {e.action}"
            )
    return fails
