"""Hypothesis at the example filters: hostile bytes and random event orders, null vs wasm.

Each generated case is a sequence of HTTP streams, each with random header, body and trailer
bytes (any byte but NUL/CR/LF in values, as Envoy forwards them), chunking, random points where
pending HTTP callouts and gRPC calls are answered or fail and time passes, then the response
and the stream's end. The same case runs in the null runtime and on the compiled module:

* nothing escapes the test host (an exception in the filter is its policy's 500 or log) and the
  VM never traps;
* both runtimes observe the same thing: actions, headers, bodies, local replies, callouts and
  logs (a traceback is compared by its last line: file paths differ between the runtimes).

Each case picks an example (every HTTP example that builds to Wasm). ``HYPOTHESIS_PROFILE=fuzz``
runs thousands of cases per property instead of 200 (the profiles are in the root conftest.py).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from examples._support.spec import all_examples
from proxy_wasm.testing import Host
from proxy_wasm_envoy.deployment import Deployment

# Every HTTP example that builds to Wasm (a native-only one carries a C extension).
HTTP_EXAMPLES = [d for d in all_examples() if d.kind == "http" and not d.native_only]
ROUNDTRIP = Path(__file__).parent / "filters" / "roundtrip_filter.py"

NAMES = st.sampled_from(
    [
        b"x-user",
        b"x-a",
        b"content-type",
        b"authorization",
        b"cookie",
        b"x-request-id",
        b"content-length",
        b"accept",
        b"x-b\xff",
    ]
)
VALUES = st.binary(max_size=24).map(
    lambda b: b.replace(b"\0", b"").replace(b"\r", b"").replace(b"\n", b"")
)
PAIRS = st.lists(st.tuples(NAMES, VALUES), max_size=5)
PATHS = st.sampled_from([b"/", b"/hello", b"/api/v1?x=1", b"/deny", b"/\xff\xfe", b"/a%00b"])
METHODS = st.sampled_from([b"GET", b"POST", b"PUT", b"\xe9"])
BODY = st.binary(max_size=64)
# things that happen while the filter may be waiting: answer a callout (or fail it), time passes
EVENT = st.one_of(
    st.tuples(st.just("respond"), st.sampled_from([b"200", b"403", b"500"]), PAIRS, BODY),
    st.tuples(st.just("fail")),
    st.tuples(st.just("grpc"), st.integers(0, 16), BODY),
    st.tuples(st.just("time"), st.sampled_from([0.001, 0.5, 1.0, 5.0])),
)


@st.composite
def stream_plans(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "headers": [
            (b":method", draw(METHODS)),
            (b":path", draw(PATHS)),
            (b":authority", b"example"),
            *draw(PAIRS),
        ],
        "body": draw(st.lists(BODY, max_size=3)),
        "trailers": draw(st.one_of(st.none(), PAIRS)),
        "events": draw(st.lists(EVENT, max_size=3)),
        "response_headers": [
            (b":status", draw(st.sampled_from([b"200", b"404", b"503"]))),
            *draw(PAIRS),
        ],
        "response_body": draw(st.lists(BODY, max_size=2)),
        "response_trailers": draw(st.one_of(st.none(), PAIRS)),
        "property": draw(BODY),
    }


def _normal_log(level: int, message: str) -> tuple[int, str]:
    if "Traceback" in message:
        return level, message.strip().splitlines()[-1]
    return level, message


def _events(host: Host, events: list[tuple[Any, ...]], seen: list[Any]) -> None:
    for event in events:
        if event[0] == "time":
            host.advance_time(event[1])
        elif event[0] == "grpc":
            calls = host.grpc_calls()
            if calls:
                calls[0].respond(event[2], status=event[1])
        else:
            callouts = host.http_callouts()
            if not callouts:
                continue
            call = callouts[0]
            seen.append(("callout", call.upstream, call.headers, call.body))
            if event[0] == "fail":
                call.fail()
            else:
                call.respond([(b":status", event[1]), *event[2]], event[3])


def _direction(
    seen: list[Any],
    what: str,
    send_headers: Any,
    send_body: Any,
    send_trailers: Any,
    headers: list[tuple[bytes, bytes]],
    body: list[bytes],
    trailers: list[tuple[bytes, bytes]] | None,
) -> None:
    """Headers, body chunks, trailers of one direction; each action goes into ``seen``."""
    seen.append((what, int(send_headers(headers, not body and trailers is None))))
    for i, chunk in enumerate(body):
        seen.append((what, int(send_body(chunk, i == len(body) - 1 and trailers is None))))
    if trailers is not None:
        seen.append((what, int(send_trailers(trailers))))


def drive(host: Host, plans: list[dict[str, Any]]) -> list[Any]:
    """Run ``plans`` through ``host``; return everything observed, in order."""
    seen: list[Any] = [("start", host.start())]
    for plan in plans:
        host.set_property("fuzz.value", plan["property"])
        s = host.http_stream()
        _direction(
            seen,
            "req",
            s.send_request_headers,
            s.send_request_body,
            s.send_request_trailers,
            plan["headers"],
            plan["body"],
            plan["trailers"],
        )
        _events(host, plan["events"], seen)
        seen.append(("request", s.request_headers_bytes, s.request_body, s.request_paused))
        if s.local_response is None and not s.request_paused:
            _direction(
                seen,
                "resp",
                s.send_response_headers,
                s.send_response_body,
                s.send_response_trailers,
                plan["response_headers"],
                plan["response_body"],
                plan["response_trailers"],
            )
            seen.append(("response", s.response_headers_bytes, s.response_body))
        lr = s.local_response
        seen.append(("local", lr and (lr.status_code, lr.headers, lr.body, lr.grpc_status)))
        s.complete()
        assert host.vm_failed is None, host.vm_failed
    seen.append(("logs", [_normal_log(lv, m) for lv, m in host.log_records]))
    seen.append(("metrics", host.metrics))
    seen.append(("properties", host.properties_written))
    return seen


def _kwargs(example: Deployment) -> dict[str, Any]:
    return {
        "plugin_config": example.config,
        "vm_config": example.vm_config,
        "root_id": example.root_id,
        "vm_id": example.vm_id,
        "clusters": list(example.clusters) or None,
        "allow_on_headers_stop_iteration": example.allow_on_headers_stop_iteration,
        "start_time_ns": 1_700_000_000_000_000_000,
    }


@functools.cache
def built(source: Path) -> Path:
    """The filter built once (the test host's cache): wasm hosts then only instantiate it."""
    from proxy_wasm.testing.host import _wasm_for

    return _wasm_for(source)


def both(source: Path, wasm: Path, plans: list[dict[str, Any]], **kwargs: Any) -> list[Any]:
    """Drive ``plans`` in the null runtime and on the module; they must observe the same."""
    null = drive(Host(source, runtime="null", **kwargs), plans)
    compiled = drive(Host(wasm, runtime="wasm", **kwargs), plans)
    assert null == compiled
    return null


@given(
    example=st.sampled_from(HTTP_EXAMPLES),
    plans=st.lists(stream_plans(), min_size=1, max_size=3),
)
def test_example_filters_survive_hostile_streams(
    example: Deployment, plans: list[dict[str, Any]]
) -> None:
    both(example.filter, built(example.filter), plans, **_kwargs(example))


@given(headers=PAIRS, value=VALUES, prop=BODY, trailers=PAIRS)
def test_text_round_trips_byte_exactly(
    headers: list[tuple[bytes, bytes]],
    value: bytes,
    prop: bytes,
    trailers: list[tuple[bytes, bytes]],
) -> None:
    request = [(b":path", b"/"), (b"x-user", value), *headers]
    for runtime, source in (("null", ROUNDTRIP), ("wasm", built(ROUNDTRIP))):
        host = Host(source, runtime=runtime, properties={"fuzz.value": prop})  # type: ignore[arg-type]
        assert host.start()
        s = host.http_stream()
        s.send_request_headers(request)
        assert s.request_headers_bytes == [*request, (b"x-copy", value), (b"x-view", value)]
        assert host.properties_written[("fuzz", "copy")] == prop
        s.send_request_trailers([(b"x-user", value), *trailers])
        assert host.error_logs == []
