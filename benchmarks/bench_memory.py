"""Where a Python filter's Envoy memory goes, and what a second plugin sharing the module costs.

Rows (one Envoy each, ``--concurrency`` workers, V8): no filter; the reference filter as its own
module (one plugin); a module holding two filters (``build_filters``: reference.py and
second.py) with one plugin; the same module with two plugins that share it (same ``vm_id``,
same code, root ids ``reference`` and ``second``), so Envoy runs one VM per worker for both.

A row with the module built ``--no-trim`` shows what the trim stage saves.

For each row: start to ``/ready`` LIVE, RSS after 200 requests, and RSS split by mapping
(``/proc/PID/smaps``): Wasm linear memories (each followed by V8's guard region of GiBs),
executable anonymous mappings (V8's compiled code), the Envoy binary (TurboFan's own code is
part of it), and the rest (Envoy's and V8's heaps: module bytes, compiled-code metadata,
allocator free pages).

    python benchmarks/bench_memory.py [--concurrency 2] [--starts 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_envoy import (
    FILTERS,
    proxy_config,
    request,
    rss_mb,
    upstream_config,
)

from proxy_wasm_compiler.build import BuildOptions, build_filter, build_filters
from proxy_wasm_envoy import PluginSpec, RunningEnvoy, start_config
from proxy_wasm_envoy.config import http_wasm_filter

GIB = 1 << 30


def smaps_split(pid: int) -> dict[str, float]:
    """RSS (MB) by kind of mapping."""
    maps: list[list[Any]] = []  # [start, end, perms, path, rss kB]
    with open(f"/proc/{pid}/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and not fields[0].endswith(":"):
                low, high = (int(x, 16) for x in fields[0].split("-"))
                maps.append([low, high, fields[1], fields[5] if len(fields) > 5 else "", 0])
            elif fields[0] == "Rss:":
                maps[-1][4] = int(fields[1])
    split = {"wasm memories": 0.0, "V8 code (anon rwx)": 0.0, "envoy binary": 0.0, "rest": 0.0}
    for i, (_low, high, perms, path, rss) in enumerate(maps):
        after = maps[i + 1] if i + 1 < len(maps) else None
        if (  # V8 reserves a guard region of GiBs right after each linear memory
            after is not None
            and after[0] == high
            and after[2] == "---p"
            and after[1] - after[0] >= GIB
            and perms == "rw-p"
        ):
            kind = "wasm memories"
        elif "x" in perms and not path:
            kind = "V8 code (anon rwx)"
        elif Path(path).name == "envoy":
            kind = "envoy binary"
        else:
            kind = "rest"
        split[kind] += rss / 1024
    return split


def start(filters: list[dict[str, Any]], upstream: int, concurrency: int) -> RunningEnvoy:
    envoy = start_config(
        proxy_config(filters, upstream),
        concurrency=concurrency,
        log_level="warn",
        component_log_level=None,
        ready_timeout=180.0,
    )
    port = envoy.port("bench")
    for _ in range(200):
        status, _, _ = request(port)
        assert status == 200, status
    time.sleep(0.5)
    return envoy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--starts", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    single = build_filter(FILTERS / "reference.py", work / "reference.wasm").path
    untrimmed = build_filter(
        FILTERS / "reference.py", work / "untrimmed.wasm", options=BuildOptions(trim=False)
    ).path
    shared = build_filters(
        [FILTERS / "reference.py", FILTERS / "second.py"], work / "shared.wasm"
    ).path

    def plugin(module: Path, root_id: str, vm_id: str) -> dict[str, Any]:
        spec = PluginSpec(wasm_path=module, name=root_id, root_id=root_id, vm_id=vm_id)
        return http_wasm_filter(spec)

    rows: dict[str, list[dict[str, Any]]] = {
        "no filter": [],
        "Python, own module": [plugin(single, "reference", "")],
        "Python, own module, --no-trim": [plugin(untrimmed, "reference", "")],
        "Python, shared module, 1 plugin": [plugin(shared, "reference", "shared")],
        "Python, shared module, 2 plugins": [
            plugin(shared, "reference", "shared"),
            plugin(shared, "second", "shared"),
        ],
    }
    upstream = start_config(upstream_config(), concurrency=1, component_log_level=None)
    try:
        up_port = upstream.port("upstream")
        print(f"--concurrency {args.concurrency}, median of {args.starts} starts (shared machine)")
        print("| row | start to ready (s) | RSS (MB) | " + " | ".join(smaps_split(upstream.pid)))
        print("|---|---:|---:|" + "---:|" * 4)
        for name, filters in rows.items():
            ready, rss, splits = [], [], []
            for _ in range(args.starts):
                envoy = start(filters, up_port, args.concurrency)
                try:
                    ready.append(envoy.start_seconds)
                    rss.append(rss_mb(envoy.pid))
                    splits.append(smaps_split(envoy.pid))
                finally:
                    envoy.stop()
            parts = " | ".join(f"{statistics.median(s[k] for s in splits):.1f}" for k in splits[0])
            print(
                f"| {name} | {statistics.median(ready):.3f} | {statistics.median(rss):.1f} | "
                f"{parts} |",
                flush=True,
            )
    finally:
        upstream.stop()


if __name__ == "__main__":
    main()
