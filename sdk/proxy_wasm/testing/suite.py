"""Declarative test suites in YAML, modelled on Google Cloud's plugin tester (``runner.proto``).

::

    filter: filter.py                 # relative to this file; a .py (null/wasm) or a .wasm
    plugin_config: {"header": "x-filter"}   # str, or a mapping sent as JSON
    vm_config: ""                     # optional
    properties: {"plugin_name": "demo"}     # optional, dotted paths
    clusters: [auth]                  # optional; default: any cluster
    allow_on_headers_stop_iteration: false
    plugin_init:                      # expectations after VM and plugin start
      log: [{regex: "configured.*"}]
    tests:
      - name: adds a header
        benchmark: false
        request_headers:
          input: {headers: {":path": "/", "x-user": "alice"}, end_of_stream: false}
          result:
            has_header: {"x-filter": "1"}      # name: value (null: any value), or a list of names
            no_header: [x-secret]
            action: continue                   # continue | pause
        request_body:                          # one invocation or a list (chunks)
          - input: {content: "abc", end_of_stream: true}
            result: {body: [{exact: "ABC"}]}
        response_headers:
          input: {headers: {":status": "200"}}
          result: {has_header: {"x-powered-by": "filter"}}
        stream_destroy:                        # after on_done/on_log/on_delete
          log: [{regex: ".*done.*"}]
          metrics: {requests: 1}

Phases run in order on one stream: request_headers, request_body, request_trailers,
response_headers, response_body, response_trailers; an immediate (local) reply stops the later
phases. Expectations: ``has_header``, ``no_header``, ``body``, ``immediate`` (``http_status``,
``grpc_status``, ``details``, ``body``), ``log``, ``metrics``, ``action``. A matcher is
``{exact: s}`` or ``{regex: s}`` (full match) with optional ``invert: true``; a log matcher passes
when some log line of the phase matches (inverted: when none does).

Mistakes in the file give :class:`SuiteError` with ``file:line:col`` of the offending key.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from proxy_wasm.testing.emulator import LocalResponse
from proxy_wasm.testing.host import Host

PHASES = (
    "request_headers",
    "request_body",
    "request_trailers",
    "response_headers",
    "response_body",
    "response_trailers",
)
_TOP_KEYS = {
    "filter",
    "wasm",
    "plugin_config",
    "vm_config",
    "properties",
    "clusters",
    "allow_on_headers_stop_iteration",
    "plugin_init",
    "tests",
    "root_id",
    "vm_id",
    "plugin_name",
}
_TEST_KEYS = {"name", "benchmark", "stream_init", "stream_destroy", *PHASES}
_INVOCATION_KEYS = {"input", "result"}
_INPUT_KEYS = {"headers", "content", "end_of_stream", "trailers"}
_EXPECT_KEYS = {"has_header", "no_header", "body", "immediate", "log", "metrics", "action"}
_IMMEDIATE_KEYS = {"http_status", "grpc_status", "details", "body"}
_MATCHER_KEYS = {"exact", "regex", "invert"}


class SuiteError(Exception):
    """A mistake in a suite file, located at ``file:line:col``."""

    def __init__(
        self, message: str, file: str, line: int | None = None, col: int | None = None
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return f"{where}: {self.message}"


# -- YAML with marks ------------------------------------------------------------------------------


class _Map(dict[str, Any]):
    """A mapping that remembers where each key (and itself) is in the file."""

    mark: Any = None
    key_marks: dict[str, Any]


class _List(list[Any]):
    mark: Any = None


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    out = _Map()
    out.mark = node.start_mark
    out.key_marks = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[str(key)] = loader.construct_object(value_node, deep=True)
        out.key_marks[str(key)] = key_node.start_mark
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _List:
    out = _List(loader.construct_object(child, deep=True) for child in node.value)
    out.mark = node.start_mark
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


class _Ctx:
    def __init__(self, file: str) -> None:
        self.file = file

    def error(self, message: str, mark: Any) -> SuiteError:
        if mark is None:
            return SuiteError(message, self.file)
        return SuiteError(message, self.file, mark.line + 1, mark.column + 1)

    def key_mark(self, mapping: Any, key: str) -> Any:
        if isinstance(mapping, _Map):
            return mapping.key_marks.get(key, mapping.mark)
        return None

    def mapping(self, value: Any, what: str, mark: Any, allowed: set[str]) -> _Map:
        if value is None:
            value = _Map()
            value.mark, value.key_marks = mark, {}
        if not isinstance(value, _Map):
            raise self.error(f"{what} must be a mapping", getattr(value, "mark", mark))
        for key in value:
            if key not in allowed:
                raise self.error(
                    f"unknown key {key!r} in {what} "
                    f"(expected one of: {', '.join(sorted(allowed))})",
                    value.key_marks.get(key),
                )
        return value


# -- the model -----------------------------------------------------------------------------------


@dataclass
class Matcher:
    exact: str | None
    regex: re.Pattern[str] | None
    invert: bool

    def matches(self, text: str) -> bool:
        if self.exact is not None:
            hit = text == self.exact
        else:
            assert self.regex is not None
            hit = self.regex.fullmatch(text) is not None
        return hit != self.invert

    def __str__(self) -> str:
        pattern = self.regex.pattern if self.regex is not None else ""
        what = f"exact {self.exact!r}" if self.exact is not None else f"regex {pattern!r}"
        return ("not " if self.invert else "") + what


@dataclass
class Expectation:
    has_header: list[tuple[str, str | None]] = field(default_factory=list)
    no_header: list[str] = field(default_factory=list)
    body: list[Matcher] = field(default_factory=list)
    immediate: dict[str, Any] | None = None
    log: list[Matcher] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)
    action: str | None = None


@dataclass
class Invocation:
    headers: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""
    end_of_stream: bool | None = None
    trailers: list[tuple[str, str]] = field(default_factory=list)
    result: Expectation = field(default_factory=Expectation)


@dataclass
class SuiteTest:
    name: str
    line: int
    benchmark: bool = False
    phases: dict[str, list[Invocation]] = field(default_factory=dict)
    stream_init: Expectation = field(default_factory=Expectation)
    stream_destroy: Expectation = field(default_factory=Expectation)


@dataclass
class Suite:
    path: Path
    filter: Path
    host_options: dict[str, Any]
    plugin_init: Expectation
    tests: list[SuiteTest]


@dataclass
class TestResult:
    """The outcome of one suite test."""

    name: str
    passed: bool
    failures: list[str] = field(default_factory=list)
    timings_us: dict[str, float] = field(default_factory=dict)  # benchmark: mean per callback
    iterations: int = 0

    __test__ = False  # not a pytest class


# -- parsing ---------------------------------------------------------------------------------------


def _matchers(ctx: _Ctx, value: Any, what: str, mark: Any) -> list[Matcher]:
    if isinstance(value, (str, _Map)):
        value = [value]
    if not isinstance(value, list):
        raise ctx.error(f"{what} must be a list of matchers", mark)
    out = []
    for item in value:
        if isinstance(item, str):
            out.append(Matcher(item, None, False))
            continue
        m = ctx.mapping(item, f"a {what} matcher", mark, _MATCHER_KEYS)
        if ("exact" in m) == ("regex" in m):
            raise ctx.error(f"a {what} matcher needs exactly one of 'exact' or 'regex'", m.mark)
        regex = None
        if "regex" in m:
            try:
                regex = re.compile(str(m["regex"]))
            except re.error as exc:
                raise ctx.error(f"bad regex: {exc}", ctx.key_mark(m, "regex")) from exc
        exact = str(m["exact"]) if "exact" in m else None
        out.append(Matcher(exact, regex, bool(m.get("invert", False))))
    return out


def _headers(ctx: _Ctx, value: Any, what: str, mark: Any) -> list[tuple[str, str]]:
    if value is None:
        return []
    if isinstance(value, _Map):
        return [(str(k), "" if v is None else str(v)) for k, v in value.items()]
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, _Map) and set(item) <= {"key", "value"} and "key" in item:
                out.append((str(item["key"]), str(item.get("value", ""))))
            elif isinstance(item, list) and len(item) == 2:
                out.append((str(item[0]), str(item[1])))
            else:
                raise ctx.error(
                    f"{what}: each header is [name, value] or {{key:, value:}}",
                    getattr(item, "mark", mark),
                )
        return out
    raise ctx.error(f"{what} must be a mapping or a list of headers", mark)


def _expectation(ctx: _Ctx, value: Any, what: str, mark: Any) -> Expectation:
    m = ctx.mapping(value, what, mark, _EXPECT_KEYS)
    e = Expectation()
    if "has_header" in m:
        hv = m["has_header"]
        if isinstance(hv, _Map):
            e.has_header = [(str(k), None if v is None else str(v)) for k, v in hv.items()]
        elif isinstance(hv, list):
            for item in hv:
                if isinstance(item, str):
                    e.has_header.append((item, None))
                elif isinstance(item, _Map) and "key" in item:
                    v = item.get("value")
                    e.has_header.append((str(item["key"]), None if v is None else str(v)))
                else:
                    raise ctx.error(
                        "has_header: each entry is a name or {key:, value:}",
                        getattr(item, "mark", ctx.key_mark(m, "has_header")),
                    )
        else:
            raise ctx.error("has_header must be a mapping or a list", ctx.key_mark(m, "has_header"))
    if "no_header" in m:
        nv = m["no_header"]
        if isinstance(nv, str):
            nv = [nv]
        if not isinstance(nv, list):
            raise ctx.error("no_header must be a list of names", ctx.key_mark(m, "no_header"))
        e.no_header = [str(x["key"]) if isinstance(x, _Map) else str(x) for x in nv]
    if "body" in m:
        e.body = _matchers(ctx, m["body"], "body", ctx.key_mark(m, "body"))
    if "log" in m:
        e.log = _matchers(ctx, m["log"], "log", ctx.key_mark(m, "log"))
    if "immediate" in m:
        imm = ctx.mapping(
            m["immediate"], "immediate", ctx.key_mark(m, "immediate"), _IMMEDIATE_KEYS
        )
        e.immediate = dict(imm)
    if "metrics" in m:
        mv = m["metrics"]
        if not isinstance(mv, _Map) or not all(isinstance(v, int) for v in mv.values()):
            raise ctx.error("metrics must map metric names to integers", ctx.key_mark(m, "metrics"))
        e.metrics = dict(mv)
    if "action" in m:
        if m["action"] not in ("continue", "pause"):
            raise ctx.error("action must be 'continue' or 'pause'", ctx.key_mark(m, "action"))
        e.action = str(m["action"])
    return e


def _invocation(ctx: _Ctx, value: Any, phase: str, mark: Any) -> Invocation:
    m = ctx.mapping(value, phase, mark, _INVOCATION_KEYS)
    inv = Invocation()
    inp = ctx.mapping(m.get("input"), f"{phase} input", ctx.key_mark(m, "input"), _INPUT_KEYS)
    if phase.endswith("headers"):
        inv.headers = _headers(
            ctx, inp.get("headers"), f"{phase} headers", ctx.key_mark(inp, "headers")
        )
    elif phase.endswith("trailers"):
        inv.trailers = _headers(
            ctx, inp.get("trailers", inp.get("headers")), f"{phase} trailers", inp.mark
        )
    else:
        content = inp.get("content", "")
        inv.content = content if isinstance(content, bytes) else str(content).encode()
    if "end_of_stream" in inp:
        inv.end_of_stream = bool(inp["end_of_stream"])
    inv.result = _expectation(ctx, m.get("result"), f"{phase} result", ctx.key_mark(m, "result"))
    return inv


def load_suite(path: str | Path) -> Suite:
    """Parse and check a suite file; :class:`SuiteError` (located) on mistakes."""
    path = Path(path)
    ctx = _Ctx(str(path))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuiteError(f"cannot read suite: {exc.strerror}", str(path)) from exc
    except UnicodeDecodeError as exc:
        raise SuiteError(f"not UTF-8 text (byte {exc.start})", str(path)) from None
    try:
        doc = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ctx.error(f"invalid YAML: {exc.problem}", mark) from exc
    except yaml.YAMLError as exc:
        raise SuiteError(f"invalid YAML: {exc}", str(path)) from exc
    top = ctx.mapping(doc, "the suite", None, _TOP_KEYS)
    if "filter" not in top and "wasm" not in top:
        raise ctx.error("the suite needs 'filter' (a .py or .wasm file)", top.mark)
    key = "filter" if "filter" in top else "wasm"
    filter_path = (path.parent / str(top[key])).resolve()
    if not filter_path.exists():
        raise ctx.error(f"filter file not found: {filter_path}", ctx.key_mark(top, key))
    options: dict[str, Any] = {}
    for name in ("plugin_config", "vm_config"):
        if name in top:
            v = top[name]
            options[name] = dict(v) if isinstance(v, _Map) else v
    if "properties" in top:
        if not isinstance(top["properties"], _Map):
            raise ctx.error(
                "properties must be a mapping of dotted paths", ctx.key_mark(top, "properties")
            )
        options["properties"] = {str(k): str(v) for k, v in top["properties"].items()}
    if "clusters" in top:
        if not isinstance(top["clusters"], list):
            raise ctx.error("clusters must be a list of names", ctx.key_mark(top, "clusters"))
        options["clusters"] = [str(c) for c in top["clusters"]]
    for name in ("allow_on_headers_stop_iteration",):
        if name in top:
            options[name] = bool(top[name])
    for name in ("root_id", "vm_id", "plugin_name"):
        if name in top:
            options[name] = str(top[name])
    plugin_init = _expectation(
        ctx, top.get("plugin_init"), "plugin_init", ctx.key_mark(top, "plugin_init")
    )
    raw_tests = top.get("tests")
    if not isinstance(raw_tests, list) or not raw_tests:
        raise ctx.error("'tests' must be a non-empty list", ctx.key_mark(top, "tests"))
    tests = []
    for raw in raw_tests:
        t = ctx.mapping(raw, "a test", getattr(raw_tests, "mark", None), _TEST_KEYS)
        if "name" not in t:
            raise ctx.error("a test needs a 'name'", t.mark)
        test = SuiteTest(
            name=str(t["name"]), line=t.mark.line + 1, benchmark=bool(t.get("benchmark", False))
        )
        for phase in PHASES:
            if phase not in t:
                continue
            pv = t[phase]
            items = pv if isinstance(pv, list) else [pv]
            test.phases[phase] = [
                _invocation(ctx, item, phase, ctx.key_mark(t, phase)) for item in items
            ]
        test.stream_init = _expectation(
            ctx, t.get("stream_init"), "stream_init", ctx.key_mark(t, "stream_init")
        )
        test.stream_destroy = _expectation(
            ctx, t.get("stream_destroy"), "stream_destroy", ctx.key_mark(t, "stream_destroy")
        )
        tests.append(test)
    return Suite(path, filter_path, options, plugin_init, tests)


# -- running ---------------------------------------------------------------------------------------


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
