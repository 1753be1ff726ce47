"""Run a declarative suite (``proxy_wasm.testing.suite``) through a real Envoy 1.40.

It uses the suite's public loading (:mod:`proxy_wasm.testing.suite_load`) and checking
(:mod:`proxy_wasm.testing.suite_check`); only the running is its own.

The filter is built and served by one Envoy on 127.0.0.1; each test becomes one real HTTP
request. A scripted upstream answers with the test's response phases (status, headers, body)
and records the request it received, so the same expectations are checked against what Envoy
really forwarded:

* request phases: the headers and body the upstream received;
* response phases: the headers and body the client received;
* ``immediate``: a reply the upstream never saw (status, body, ``grpc-status``);
* ``log``: the filter's log lines while the request ran; ``metrics``: ``/stats`` of Envoy.

What Envoy does not show from outside is not checked: the action a callback returned, the
``details`` of a local reply, and request/response trailers over HTTP/1.1.
"""

from __future__ import annotations

import http.client
import time
from pathlib import Path

from proxy_wasm.testing import LocalResponse
from proxy_wasm.testing.suite_check import TestResult, check_expectation
from proxy_wasm.testing.suite_load import Expectation, Suite, SuiteTest, load_suite
from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.config import UPSTREAM_CLUSTER, ClusterSpec, ListenerSpec
from proxy_wasm_envoy.logs import WasmLog
from proxy_wasm_envoy.process import RunningEnvoy, start_envoy
from proxy_wasm_envoy.upstream import EchoServer, ScriptedServer

LISTENER = "suite"
_HOP_HEADERS = {"connection", "transfer-encoding", "keep-alive", "content-length"}


class _EnvoyMetrics:
    def __init__(self, envoy: RunningEnvoy) -> None:
        self.envoy = envoy

    def metric(self, name: str) -> int:
        stats = self.envoy.stats("wasmcustom")
        for key in (f"wasmcustom.{name}", name):
            if key in stats:
                return stats[key]
        raise KeyError(name)


class _Reply:
    def __init__(self, reply: LocalResponse | None) -> None:
        self.local_response = reply


def _module_for(suite: Suite, work: Path) -> Path:
    if suite.filter.suffix == ".wasm":
        return suite.filter
    return build_filter(suite.filter, work / "suite.wasm", options=BuildOptions(reuse=True)).path


def _listener(suite: Suite, wasm: Path) -> ListenerSpec:
    options = suite.host_options
    return ListenerSpec(
        name=LISTENER,
        wasm_path=wasm,
        config=options.get("plugin_config"),
        vm_config=options.get("vm_config"),
        root_id=str(options.get("root_id") or ""),
        vm_id=str(options.get("vm_id") or ""),
        allow_on_headers_stop_iteration=bool(options.get("allow_on_headers_stop_iteration"))
        or None,
    )


def _request_parts(test: SuiteTest) -> tuple[str, str, list[tuple[str, str]], bytes]:
    headers = [inv.headers for inv in test.phases.get("request_headers", [])]
    pairs = headers[0] if headers else []
    method = next((v for k, v in pairs if k == ":method"), "GET")
    path = next((v for k, v in pairs if k == ":path"), "/")
    plain = [(k, v) for k, v in pairs if not k.startswith(":")]
    body = b"".join(inv.content for inv in test.phases.get("request_body", []))
    return method, path, plain, body


def _script_response(upstream: ScriptedServer, test: SuiteTest) -> None:
    headers = [inv.headers for inv in test.phases.get("response_headers", [])]
    pairs = headers[0] if headers else []
    upstream.status = int(next((v for k, v in pairs if k == ":status"), "200"))
    upstream.headers = [
        (k, v) for k, v in pairs if not k.startswith(":") and k.lower() not in _HOP_HEADERS
    ]
    upstream.body = b"".join(inv.content for inv in test.phases.get("response_body", []))


def _unobservable(test: SuiteTest) -> list[str]:
    notes = []
    for phase in ("request_trailers", "response_trailers"):
        if phase in test.phases:
            notes.append(f"{phase}: trailers cannot be sent over Envoy's HTTP/1.1 listener")
    return notes


def _run_test(envoy: RunningEnvoy, upstream: ScriptedServer, test: SuiteTest) -> list[str]:
    failures = _unobservable(test)
    if failures:
        return failures
    method, path, headers, body = _request_parts(test)
    _script_response(upstream, test)
    seen_before = len(upstream.received)
    logs_before = len(envoy.wasm_logs())
    conn = http.client.HTTPConnection("127.0.0.1", envoy.port(LISTENER), timeout=15)
    try:
        conn.request(method, path, body=body or None, headers=dict(headers))
        response = conn.getresponse()
        response_body = response.read()
        response_headers = [(k.lower(), v) for k, v in response.getheaders()]
    finally:
        conn.close()
    logs = [entry.message for entry in _settled_logs(envoy, logs_before)]
    received = upstream.received[seen_before:]
    reply = None
    if not received:
        grpc = next((v for k, v in response_headers if k == "grpc-status"), None)
        reply = LocalResponse(
            response.status,
            [(k.encode(), v.encode()) for k, v in response_headers],
            response_body,
            int(grpc) if grpc is not None else None,
            "",
        )
    metrics = _EnvoyMetrics(envoy)
    stream = _Reply(reply)
    for phase, invocations in test.phases.items():
        for inv in invocations:
            failures += _check_phase(
                metrics,
                stream,
                inv.result,
                phase,
                logs,
                received,
                response_headers,
                response_body,
                reply is not None,
            )
    failures += check_expectation(
        metrics, stream, test.stream_destroy, "stream_destroy", logs, None, None, None
    )
    return failures


def _settled_logs(
    envoy: RunningEnvoy, start: int, quiet: float = 0.2, limit: float = 3.0
) -> list[WasmLog]:
    """The filter's log lines since ``start`` once none has arrived for ``quiet`` seconds
    (``on_log``/``on_done`` run after the reply has reached the client)."""
    deadline = time.monotonic() + limit
    seen = len(envoy.wasm_logs())
    settled_at = time.monotonic() + quiet
    while time.monotonic() < min(settled_at, deadline):
        time.sleep(0.02)
        now = len(envoy.wasm_logs())
        if now != seen:
            seen, settled_at = now, time.monotonic() + quiet
    return envoy.wasm_logs()[start:]


def _check_phase(
    metrics: _EnvoyMetrics,
    stream: _Reply,
    expectation: Expectation,
    phase: str,
    logs: list[str],
    received: list[tuple[list[tuple[str, str]], bytes]],
    response_headers: list[tuple[str, str]],
    response_body: bytes,
    immediate: bool,
) -> list[str]:
    headers: list[tuple[str, str]] | None = None
    body: bytes | None = None
    if phase.startswith("request") and received:
        headers, body = received[-1]
    elif phase.startswith("response") and not immediate:
        headers, body = response_headers, response_body
    if not phase.endswith("headers"):
        headers = None
    if not phase.endswith("body"):
        body = None
    return check_expectation(metrics, stream, expectation, phase, logs, headers, body, None)


def _native_listener(suite: Suite) -> ListenerSpec:
    from proxy_wasm_envoy.native import native_listener, use_native_module

    if suite.filter.suffix == ".wasm":
        raise UserError(f"{suite.filter}: the native runtime runs Python filters, not .wasm")
    use_native_module()
    options = suite.host_options
    return native_listener(
        LISTENER,
        suite.filter,
        config=options.get("plugin_config"),
        vm_config=options.get("vm_config"),
        root_id=str(options.get("root_id") or ""),
        vm_id=str(options.get("vm_id") or ""),
    )


def run_suite(
    path: str | Path, *, benchmark: bool = False, native: bool = False
) -> list[TestResult]:
    """Run every test of the suite at ``path`` through one real Envoy; one result per test.

    ``native``: the filter runs in Envoy through the native runtime (no Wasm build).
    ``benchmark`` is accepted for the CLI's sake; timing per callback needs the test host.
    """
    import tempfile

    suite = load_suite(path)
    upstream = ScriptedServer().start()
    extra = EchoServer().start()
    clusters = [ClusterSpec(UPSTREAM_CLUSTER, upstream.port)]
    clusters += [ClusterSpec(name, extra.port) for name in suite.host_options.get("clusters") or []]
    try:
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-suite-") as tmp:
            listener = (
                _native_listener(suite)
                if native
                else _listener(suite, _module_for(suite, Path(tmp)))
            )
            envoy = start_envoy(
                [listener],
                clusters,
                upstream=False,
                component_log_level="wasm:debug,dynamic_modules:debug",
            )
            try:
                init_logs = [entry.message for entry in envoy.wasm_logs()]
                init = check_expectation(
                    _EnvoyMetrics(envoy),
                    None,
                    suite.plugin_init,
                    "plugin_init",
                    init_logs,
                    None,
                    None,
                    None,
                )
                results = []
                for test in suite.tests:
                    failures = init + _run_test(envoy, upstream, test)
                    results.append(TestResult(test.name, not failures, failures))
                return results
            finally:
                envoy.stop()
    finally:
        upstream.stop()
        extra.stop()
