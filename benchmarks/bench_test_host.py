#!/usr/bin/env python3
"""Time one complete HTTP stream in ``proxy_wasm.testing`` (null and wasm runtimes).

A stream = ``http_stream()`` (context create), request headers, response headers, then
``complete()`` (done, log, delete). Filters: the benchmark's reference filter and, as the
baseline measured in the same run, an HttpContext that overrides nothing.
Targets (issue 4): null well under 100 us, wasm under 300 us per stream.

    python benchmarks/bench_test_host.py            # 5 rounds of 2000 streams per cell
    python benchmarks/bench_test_host.py --quick    # 3 rounds of 300

Prints us/stream as median over rounds (min-max) and the ratios. Nothing is asserted.

``--breakdown`` (wasm runtime) splits a stream's time into: the emulator outside guest calls,
host functions (the emulator's ``proxy_*`` implementations), and the guest calls themselves
(wasmtime-py marshalling + the module's own code). The C reference filter (same work, almost no
code) calibrates the wasmtime-py cost per crossing; Python minus C estimates the time spent
inside the module's CPython.

``--cold`` (wasm runtime) times the C and Python reference filters with warm CPU caches and
with ``--flush-mb`` of memory written before each stream, as a proxy's other work does between
a filter's callbacks: the Python minus C difference, warm and cold, is what the interpreter's
memory footprint costs per request.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from proxy_wasm.testing import Host

HERE = Path(__file__).resolve().parent
FILTERS = {
    "empty": HERE / "filters" / "empty.py",
    "reference": HERE / "filters" / "reference.py",
}
REQUEST = [
    (":method", "GET"),
    (":path", "/"),
    (":authority", "bench"),
    ("user-agent", "bench/1"),
    ("x-user", "alice"),
]
RESPONSE = [(":status", "200"), ("content-length", "8")]
TARGETS = {"null": 100.0, "wasm": 300.0}


def one_round(host: Host, n: int, flush: bytearray | None = None) -> float:
    """Seconds per stream over ``n`` complete streams. With ``flush``, every cache line of it
    is written before each stream (untimed), so each stream starts with cold CPU caches, as a
    filter's callbacks do in a proxy that does other work between them."""
    if flush is None:
        t = time.perf_counter()
        for _ in range(n):
            stream = host.http_stream()
            stream.send_request_headers(REQUEST, True)
            stream.send_response_headers(RESPONSE, True)
            stream.complete()
        return (time.perf_counter() - t) / n
    ones = b"\x01" * len(range(0, len(flush), 64))
    total = 0.0
    for _ in range(n):
        flush[::64] = ones
        t = time.perf_counter()
        stream = host.http_stream()
        stream.send_request_headers(REQUEST, True)
        stream.send_response_headers(RESPONSE, True)
        stream.complete()
        total += time.perf_counter() - t
    return total / n


def measure(runtime: str, filter_path: Path, streams: int, rounds: int) -> list[float]:
    host = Host(filter=filter_path, runtime=runtime)  # type: ignore[arg-type]
    if not host.start():
        raise RuntimeError(f"{filter_path.name} did not start in the {runtime} runtime")
    # Check the work really happens (so the timing is of the real thing).
    stream = host.http_stream()
    stream.send_request_headers(REQUEST, True)
    stream.send_response_headers(RESPONSE, True)
    stream.complete()
    if filter_path.stem == "reference" and (
        stream.request_header("x-filter") != "1"
        or stream.response_header("x-powered-by") != "filter"
    ):
        raise RuntimeError(f"reference filter did not run in the {runtime} runtime")
    one_round(host, max(50, streams // 10))  # warm-up
    return [one_round(host, streams) * 1e6 for _ in range(rounds)]


@contextmanager
def instrumented() -> Iterator[dict[str, float]]:
    """Time (and count) every host function of the wasm runtime while inside."""
    from proxy_wasm.testing import wasm_runtime

    acc = {"host": 0.0, "host_calls": 0.0}
    cls = wasm_runtime.WasmGuest
    saved: dict[str, Any] = {}

    def wrap(fn: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(fn)
        def timed(*args: Any) -> int:
            t = time.perf_counter()
            try:
                return fn(*args)
            finally:
                acc["host"] += time.perf_counter() - t
                acc["host_calls"] += 1

        return timed

    for name in list(vars(cls)):
        if name.startswith("_proxy_"):
            saved[name] = vars(cls)[name]
            setattr(cls, name, wrap(saved[name]))
    try:
        yield acc
    finally:
        for name, fn in saved.items():
            setattr(cls, name, fn)


def breakdown(module: Path, streams: int) -> dict[str, float]:
    """us per stream: total, emulator outside guest calls, host functions, guest calls."""
    with instrumented() as acc:
        host = Host(filter=module, runtime="wasm")
        host.start()
        guest = host.emulator.guest
        assert guest is not None
        plain_call = guest.call
        calls = {"time": 0.0, "n": 0.0}

        def timed_call(name: str, *args: int) -> int:
            t = time.perf_counter()
            try:
                return plain_call(name, *args)
            finally:
                calls["time"] += time.perf_counter() - t
                if name in guest.callbacks:  # a real crossing (else the host's default)
                    calls["n"] += 1

        guest.call = timed_call  # type: ignore[method-assign]
        one_round(host, max(50, streams // 10))
        for key in acc:
            acc[key] = 0.0
        calls["time"] = calls["n"] = 0.0
        total = one_round(host, streams)
    us = 1e6
    return {
        "total": total * us,
        "emulator": total * us - calls["time"] / streams * us,
        "host": acc["host"] / streams * us,
        "guest_calls": (calls["time"] - acc["host"]) / streams * us,
        "calls": calls["n"] / streams,
        "host_calls": acc["host_calls"] / streams,
    }


def build_c(tmp: Path) -> Path:
    sys.path.insert(0, str(HERE))
    from bench_envoy import zig_cc

    out = tmp / "reference_c.wasm"
    zig_cc(HERE / "filters" / "reference.c", out)
    return out


def print_breakdown(streams: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-host-") as tmp:
        modules = {
            "C reference": build_c(Path(tmp)),
            "Python empty": FILTERS["empty"],
            "Python reference": FILTERS["reference"],
        }
        samples: dict[str, list[dict[str, float]]] = {name: [] for name in modules}
        for _ in range(rounds):  # interleaved, medians per field
            for name, path in modules.items():
                samples[name].append(breakdown(path, streams))
    rows = {
        name: {k: statistics.median(d[k] for d in ds) for k in ds[0]}
        for name, ds in samples.items()
    }
    c = rows["C reference"]
    per_call = c["guest_calls"] / (c["calls"] + c["host_calls"])
    print(
        f"\nwasm runtime breakdown, us per stream (median of {rounds} rounds x {streams} streams)\n"
    )
    print(
        f"{'module':18} {'total':>8} {'emulator':>9} {'host fns':>9} {'guest':>8} "
        f"{'entries':>7} {'host calls':>10}"
    )
    for name, r in rows.items():
        print(
            f"{name:18} {r['total']:8.1f} {r['emulator']:9.1f} {r['host']:9.1f} "
            f"{r['guest_calls']:8.1f} {r['calls']:7.1f} {r['host_calls']:10.1f}"
        )
    py = rows["Python reference"]
    print(
        "\n(the timing wrappers add their own cost: these totals exceed the plain timing "
        "above; compare rows with each other, not with the table above)"
    )
    print(
        f"emulator = outside guest calls; host fns = the emulator's proxy_* functions; "
        f"guest = guest calls minus host fns (wasmtime-py marshalling + the module's code).\n"
        f"wasmtime-py cost per crossing, from the C row (its own code is a few instructions): "
        f"{per_call:.1f} us.\n"
        f"Python reference minus C reference (same host calls, same work): "
        f"{py['total'] - c['total']:.1f} us per stream = the module's CPython (SDK dispatch "
        f"+ filter code) plus its 2 extra entries (on_log, on_delete)."
    )


def print_cold(streams: int, rounds: int, flush_mb: int) -> None:
    """The module's own time per stream with warm and with flushed CPU caches."""
    flush = bytearray(flush_mb * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="bench-host-") as tmp:
        hosts = {
            "C reference": Host(filter=build_c(Path(tmp)), runtime="wasm"),
            "Python reference": Host(filter=FILTERS["reference"], runtime="wasm"),
        }
        cells: dict[tuple[str, bool], list[float]] = {}
        for host in hosts.values():
            host.start()
            one_round(host, max(50, streams // 10))
        for _ in range(rounds):  # interleaved
            for name, host in hosts.items():
                for flushed in (False, True):
                    cells.setdefault((name, flushed), []).append(
                        one_round(host, streams, flush if flushed else None) * 1e6
                    )
    med = {key: statistics.median(v) for key, v in cells.items()}
    print(
        f"\nwasm runtime, us per stream with warm caches and with {flush_mb} MB written "
        f"between streams (median of {rounds} rounds x {streams} streams)\n"
    )
    print(f"{'module':18} {'warm':>8} {'cold':>8} {'cold/warm':>9}")
    for name in hosts:
        warm, cold = med[(name, False)], med[(name, True)]
        print(f"{name:18} {warm:8.1f} {cold:8.1f} {cold / warm:8.2f}x")
    warm = med[("Python reference", False)] - med[("C reference", False)]
    cold = med[("Python reference", True)] - med[("C reference", True)]
    print(
        f"\nPython minus C (the module's CPython; same host calls and crossings): "
        f"warm {warm:.1f} us, cold {cold:.1f} us ({cold / warm:.2f}x)."
    )


def fmt(samples: Sequence[float]) -> str:
    med = statistics.median(samples)
    return f"{med:8.1f} ({min(samples):.1f}-{max(samples):.1f})"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--streams", type=int, default=2000, help="streams per round (default 2000)")
    p.add_argument("--rounds", type=int, default=5, help="rounds per cell (default 5)")
    p.add_argument("--runtime", choices=("null", "wasm", "both"), default="both")
    p.add_argument("--quick", action="store_true", help="3 rounds of 300 streams")
    p.add_argument(
        "--breakdown",
        action="store_true",
        help="also split the wasm runtime's time per stream (see the docstring)",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="also time the wasm runtime with CPU caches flushed before each stream",
    )
    p.add_argument(
        "--flush-mb",
        type=int,
        default=32,
        help="memory written between streams with --cold (default 32 MB)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.streams, args.rounds = min(args.streams, 300), min(args.rounds, 3)
    runtimes = ("null", "wasm") if args.runtime == "both" else (args.runtime,)

    results: dict[tuple[str, str], list[float]] = {}
    for runtime in runtimes:
        for name, path in FILTERS.items():
            print(f"... {runtime:4} {name}", file=sys.stderr, flush=True)
            results[(runtime, name)] = measure(runtime, path, args.streams, args.rounds)

    print(
        f"\nus per complete HTTP stream, median of {args.rounds} rounds x {args.streams} "
        f"streams (min-max)\n"
    )
    print(
        f"{'runtime':8} {'empty filter':>24} {'reference filter':>24} {'added':>8} "
        f"{'ref/empty':>9} {'target':>8}"
    )
    for runtime in runtimes:
        empty = statistics.median(results[(runtime, "empty")])
        ref = statistics.median(results[(runtime, "reference")])
        print(
            f"{runtime:8} {fmt(results[(runtime, 'empty')]):>24} "
            f"{fmt(results[(runtime, 'reference')]):>24} {ref - empty:8.1f} "
            f"{ref / empty:8.2f}x {'< ' + str(int(TARGETS[runtime])):>8}"
        )
    if len(runtimes) == 2:
        print()
        for name in FILTERS:
            w = statistics.median(results[("wasm", name)])
            n = statistics.median(results[("null", name)])
            print(f"wasm / null, {name} filter: {w / n:.2f}x")
        added_w = statistics.median(results[("wasm", "reference")]) - statistics.median(
            results[("wasm", "empty")]
        )
        added_n = statistics.median(results[("null", "reference")]) - statistics.median(
            results[("null", "empty")]
        )
        if added_n > 0:
            print(f"wasm / null, added by the reference work: {added_w / added_n:.2f}x")
    if args.breakdown:
        print_breakdown(args.streams, args.rounds)
    if args.cold:
        print_cold(args.streams, args.rounds, args.flush_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main())
