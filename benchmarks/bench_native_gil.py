#!/usr/bin/env python3
"""What the GIL costs the native runtime: the reference filter at ``--concurrency`` 1, 2, 4.

Every Envoy worker takes the one GIL for each callback, so the Python parts of requests run one
at a time however many workers Envoy has. For each concurrency this starts a proxy without a
filter and one with the reference filter run natively, loads each with ``wrk`` (interleaved,
``--repeats`` rounds) and prints throughput and Envoy CPU per request, and the native row's
throughput relative to no filter at the same concurrency (1.0: the GIL costs nothing).

    python benchmarks/bench_native_gil.py [--duration 5] [--repeats 2]

Only processes this script starts are stopped, each by its PID. Figures from a shared machine
are noisy: read the ratios, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Sequence

from bench_envoy import (
    FILTERS,
    RunningEnvoy,
    parse_cpus,
    proxy_config,
    run_wrk,
    start_config,
    upstream_config,
)

from proxy_wasm_envoy.native import native_http_filter, use_native_module

CONCURRENCIES = (1, 2, 4)


def _proxy(filters: list[dict[str, object]], up_port: int, concurrency: int) -> RunningEnvoy:
    return start_config(
        proxy_config(filters, up_port),  # type: ignore[arg-type]
        concurrency=concurrency,
        log_level="warn",
        component_log_level=None,
        ready_timeout=120.0,
    )


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--duration", type=float, default=5.0, help="seconds per wrk run")
    p.add_argument("--repeats", type=int, default=2, help="interleaved rounds per concurrency")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    args.wrk_cpu_set = parse_cpus(None)
    use_native_module()
    native = [native_http_filter(FILTERS / "reference.py", name="bench")]
    upstream = start_config(
        upstream_config(), concurrency=1, log_level="warn", component_log_level=None
    )
    lines = [
        "| --concurrency | no filter req/s | native req/s | native / no filter | "
        "no filter CPU us/req | native CPU us/req |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    try:
        up_port = upstream.port("upstream")
        for concurrency in CONCURRENCIES:
            proxies = {
                "none": _proxy([], up_port, concurrency),
                "native": _proxy(native, up_port, concurrency),
            }
            rps: dict[str, list[float]] = {k: [] for k in proxies}
            cpu: dict[str, list[float]] = {k: [] for k in proxies}
            try:
                for envoy in proxies.values():
                    run_wrk(envoy, 1, args)  # warm-up
                for _ in range(args.repeats):
                    for name, envoy in proxies.items():
                        run = run_wrk(envoy, args.duration, args)
                        rps[name].append(run.rps)
                        cpu[name].append(run.cpu_us_per_request)
            finally:
                for envoy in proxies.values():
                    envoy.stop()
            none, nat = statistics.median(rps["none"]), statistics.median(rps["native"])
            lines.append(
                f"| {concurrency} | {none:,.0f} | {nat:,.0f} | {nat / none:.2f} | "
                f"{statistics.median(cpu['none']):.1f} | {statistics.median(cpu['native']):.1f} |"
            )
            print(lines[-1], file=sys.stderr)
    finally:
        upstream.stop()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
