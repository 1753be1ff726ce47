#!/usr/bin/env python3
"""Where a filter's Envoy CPU goes: inside the module's code, in host calls, or in Envoy itself.

One Envoy 1.40 per module (``--concurrency 1``, pinned to CPU 0; upstream and wrk on CPU 1) is
profiled with ``perf record`` while ``wrk`` loads it; each sample is attributed to

- the module: its leaf frame is V8-compiled wasm code (``perf`` shows it as JIT code);
- host calls: Envoy code called from the module's code (``proxy_*`` and WASI imports);
- the rest: Envoy's own work and the kernel.

and divided by the requests Envoy served. Rows: no filter, the C reference filter, the Python
reference filter, and a Python filter that overrides nothing (what creating and deleting a
context per stream costs). Needs ``perf`` (Debian ``linux-perf``) and permission to profile;
nothing is asserted.

    python benchmarks/bench_breakdown.py [--seconds 6] [--repeats 3]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_envoy import (
    FILTERS,
    affinity,
    downstream_requests,
    http_wasm_filter,
    proxy_config,
    run_wrk,
    start_config,
    upstream_config,
    zig_cc,
)

from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_envoy import PluginSpec

FREQUENCY = 4000  # samples per second


def attribute(perf_data: Path) -> dict[str, int]:
    """Count samples by where they fall: module, host calls, rest."""
    out = subprocess.run(
        ["perf", "script", "-i", str(perf_data), "-F", "ip,dso"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    counts = {"module": 0, "host": 0, "rest": 0}
    for sample in out.split("\n\n"):
        frames = [line.split() for line in sample.strip().splitlines() if line.strip()]
        if not frames:
            continue
        in_jit = ["perf-" in f[-1] or "JIT" in f[-1] for f in frames]
        key = "module" if in_jit[0] else "host" if any(in_jit) else "rest"
        counts[key] += 1
    return counts


def profile(wasm: Path | None, upstream_port: int, seconds: float) -> dict[str, float]:
    """Microseconds per request in each part, for one Envoy running ``wasm`` (None: no filter)."""
    filters = (
        [http_wasm_filter(PluginSpec(wasm_path=wasm, name="bench", root_id="", vm_id=""))]
        if wasm is not None
        else []
    )
    load = argparse.Namespace(threads=1, connections=8, wrk_cpu_set={1})
    with affinity({0}):
        envoy = start_config(
            proxy_config(filters, upstream_port),
            concurrency=1,
            log_level="warn",
            component_log_level=None,
            ready_timeout=120,
        )
    with tempfile.TemporaryDirectory(prefix="bench-perf-") as tmp:
        data = Path(tmp) / "perf.data"
        try:
            run_wrk(envoy, 1, load)  # warm-up
            before = downstream_requests(envoy)
            perf = subprocess.Popen(
                [
                    "perf",
                    "record",
                    "-q",
                    "-F",
                    str(FREQUENCY),
                    "-g",
                    "-p",
                    str(envoy.pid),
                    "-o",
                    str(data),
                    "--",
                    "sleep",
                    str(seconds),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            run_wrk(envoy, seconds, load)
            perf.wait()
            requests = downstream_requests(envoy) - before
        finally:
            envoy.stop()
        counts = attribute(data)
    us_per_sample = 1e6 / FREQUENCY
    per = {k: v * us_per_sample / max(1, requests) for k, v in counts.items()}
    per["total"] = sum(per.values())
    return per


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=6.0, help="profiled seconds per run")
    p.add_argument("--repeats", type=int, default=3, help="runs per row, interleaved")
    args = p.parse_args(argv)
    if shutil.which("perf") is None or shutil.which("wrk") is None:
        print("error: needs perf (apt-get install -y linux-perf) and wrk", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-breakdown-") as tmp:
        work = Path(tmp)
        c_wasm = work / "reference_c.wasm"
        zig_cc(FILTERS / "reference.c", c_wasm)
        rows: dict[str, Path | None] = {
            "no filter": None,
            "C reference": c_wasm,
            "Python reference": build_filter(
                FILTERS / "reference.py", work / "ref.wasm", options=BuildOptions()
            ).path,
            "Python, empty context": build_filter(
                FILTERS / "empty.py", work / "empty.wasm", options=BuildOptions()
            ).path,
        }
        with affinity({1}):
            upstream = start_config(
                upstream_config(), concurrency=1, log_level="warn", component_log_level=None
            )
        try:
            samples: dict[str, list[dict[str, float]]] = {name: [] for name in rows}
            for _ in range(args.repeats):
                for name, wasm in rows.items():
                    samples[name].append(profile(wasm, upstream.port("upstream"), args.seconds))
        finally:
            upstream.stop()
    print(
        f"\nEnvoy CPU per request (us), median of {args.repeats} runs of {args.seconds:.0f} s "
        f"(perf at {FREQUENCY} Hz; Envoy --concurrency 1 on CPU 0)\n"
    )
    print(f"{'row':24} {'total':>7} {'module code':>12} {'host calls':>11} {'Envoy+kernel':>13}")
    med: dict[str, dict[str, float]] = {}
    for name, runs in samples.items():
        med[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        m = med[name]
        print(
            f"{name:24} {m['total']:7.1f} {m['module']:12.1f} {m['host']:11.1f} {m['rest']:13.1f}"
        )
    base, c, py = med["no filter"], med["C reference"], med["Python reference"]
    print(
        f"\nPython over C: {py['total'] - c['total']:.1f} us per request, of which "
        f"{py['module'] - c['module']:.1f} us inside the module's code and "
        f"{py['rest'] - c['rest']:.1f} us more in Envoy and the kernel "
        f"(their own work: {base['rest']:.1f} us with no filter, {c['rest']:.1f} with C)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
