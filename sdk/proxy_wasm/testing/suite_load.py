"""Loading a declarative test suite: the YAML format, its checks, and the model it becomes.

The format is modelled on Google Cloud's plugin tester (``runner.proto``).

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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

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
    """``{exact: s}`` or ``{regex: s}`` (a full match), optionally inverted."""

    exact: str | None
    regex: re.Pattern[str] | None
    invert: bool

    def matches(self, text: str) -> bool:
        """Whether ``text`` matches (``False`` when it matches and the matcher is inverted)."""
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
    """What a phase's ``result`` expects (every field optional)."""

    has_header: list[tuple[str, str | None]] = field(default_factory=list)
    no_header: list[str] = field(default_factory=list)
    body: list[Matcher] = field(default_factory=list)
    immediate: dict[str, Any] | None = None
    log: list[Matcher] = field(default_factory=list)
    metrics: dict[str, int] = field(default_factory=dict)
    action: str | None = None


@dataclass
class Invocation:
    """One call of a phase: its input and the expected result."""

    headers: list[tuple[str, str]] = field(default_factory=list)
    content: bytes = b""
    end_of_stream: bool | None = None
    trailers: list[tuple[str, str]] = field(default_factory=list)
    result: Expectation = field(default_factory=Expectation)


@dataclass
class SuiteTest:
    """One test: a stream driven through the phases it lists, in order."""

    name: str
    line: int
    benchmark: bool = False
    phases: dict[str, list[Invocation]] = field(default_factory=dict)
    stream_init: Expectation = field(default_factory=Expectation)
    stream_destroy: Expectation = field(default_factory=Expectation)


@dataclass
class Suite:
    """A loaded suite: the filter, the host options, and its tests."""

    path: Path
    filter: Path
    host_options: dict[str, Any]
    plugin_init: Expectation
    tests: list[SuiteTest]


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
        for item in nv:
            if isinstance(item, _Map) and "key" not in item:
                raise ctx.error("no_header: each entry is a name or {key:}", item.mark)
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
