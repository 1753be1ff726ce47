#!/usr/bin/env python3
"""Soak: a real Envoy 1.40 with a Python filter under bounded mixed traffic for a while.

Traffic (one request per connection, raw sockets on 127.0.0.1, at most ``--rate`` requests/s):
good requests (half of them with non-UTF-8 ``x-user`` bytes), ``/raise`` (the filter raises:
500), ``/deep`` (runaway recursion: a RecursionError, 500) and, every ``--trap-every`` seconds,
``/trap`` (the VM traps; the failure policy, FAIL_RELOAD by default, starts a new one).
Prints, every ``--every`` seconds, Envoy's RSS, the answers by status, the traps sent, the
crashes Envoy logged and the VMs it created; at the end a summary, also written to
benchmarks/RESULTS.md (section "Soak") unless ``--no-write``.

    python benchmarks/soak.py                 # 10 minutes
    python benchmarks/soak.py --minutes 3     # a shorter run

Only the Envoy and echo upstream this script starts are stopped (by their own handles).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import random
import socket
import sys
import threading
import time
from pathlib import Path

from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_envoy import ListenerSpec, RunningEnvoy, start_envoy

HERE = Path(__file__).resolve().parent
FILTER = HERE / "filters" / "soak.py"
RESULTS = HERE / "RESULTS.md"
SECTION_START = "<!-- soak:start (benchmarks/soak.py writes this section) -->"
SECTION_END = "<!-- soak:end -->"


def request(port: int, path: bytes, user: bytes) -> int:
    """One request on a fresh connection; its status (0: no answer)."""
    head = b"GET " + path + b" HTTP/1.1\r\nhost: soak\r\nx-user: " + user + b"\r\n"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(head + b"connection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return 0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Load:
    """Bounded load: ``workers`` threads sharing a ``rate`` budget of requests per second."""

    def __init__(self, port: int, rate: float, workers: int, trap_every: float) -> None:
        self.port, self.rate, self.workers, self.trap_every = port, rate, workers, trap_every
        self.status: collections.Counter[tuple[str, int]] = collections.Counter()
        self.traps = 0
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.next_trap = time.monotonic() + trap_every
        self.next_slot = time.monotonic()

    def _pick(self) -> tuple[str, bytes, bytes]:
        now = time.monotonic()
        with self.lock:
            wait = self.next_slot - now
            self.next_slot = max(self.next_slot, now) + 1 / self.rate
            trap = self.trap_every > 0 and now >= self.next_trap
            if trap:
                self.next_trap = now + self.trap_every
                self.traps += 1
        if wait > 0:
            time.sleep(wait)
        if trap:
            return "trap", b"/trap", b"x"
        roll = random.random()
        if roll < 0.05:
            return "raise", b"/raise", b"x"
        if roll < 0.10:
            return "deep", b"/deep", b"x"
        if roll < 0.55:
            return "bytes", b"/hello", bytes(random.randrange(128, 256) for _ in range(6))
        return "good", b"/hello", b"alice"

    def _worker(self) -> None:
        while not self.stop.is_set():
            kind, path, user = self._pick()
            code = request(self.port, path, user)
            with self.lock:
                self.status[(kind, code)] += 1

    def start(self) -> list[threading.Thread]:
        threads = [threading.Thread(target=self._worker, daemon=True) for _ in range(self.workers)]
        for t in threads:
            t.start()
        return threads


def crashes(envoy: RunningEnvoy) -> tuple[int, int]:
    """(crash entries logged, Wasm VMs created) so far."""
    records = envoy.records()
    crashed = sum(
        1 for r in records if r.level in ("error", "critical") and " failed: " in r.message
    )
    created = sum(1 for r in records if "Wasm created" in r.message)
    return crashed, created


def by_status(counter: collections.Counter[tuple[str, int]]) -> dict[int, int]:
    out: dict[int, int] = collections.Counter()
    for (_, code), n in counter.items():
        out[code] += n
    return dict(sorted(out.items()))


def write_results(lines: list[str]) -> None:
    text = RESULTS.read_text() if RESULTS.exists() else ""
    section = "\n".join([SECTION_START, *lines, SECTION_END])
    if SECTION_START in text and SECTION_END in text:
        before = text[: text.index(SECTION_START)]
        after = text[text.index(SECTION_END) + len(SECTION_END) :]
        text = before + section + after
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    RESULTS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0, help="requests/s, at most")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--trap-every", type=float, default=30.0, help="seconds (0: never)")
    parser.add_argument("--every", type=float, default=15.0, help="report period, seconds")
    parser.add_argument("--failure-policy", default="FAIL_RELOAD")
    parser.add_argument("--no-write", action="store_true", help="do not update RESULTS.md")
    args = parser.parse_args(argv)

    wasm = build_filter(FILTER, options=BuildOptions(reuse=True)).path
    envoy = start_envoy(
        [ListenerSpec("soak", wasm_path=wasm, failure_policy=args.failure_policy)],
        ready_timeout=300,
    )
    rows: list[str] = []
    try:
        load = Load(envoy.port("soak"), args.rate, args.workers, args.trap_every)
        threads = load.start()
        started = time.monotonic()
        rss0 = rss_mb(envoy.pid)
        header = (
            "| t (s) | RSS (MB) | requests | by status | traps sent | crashes logged "
            "| VMs created |"
        )
        rows += [header, "|---:|---:|---:|---|---:|---:|---:|"]
        print(f"Envoy pid {envoy.pid}, RSS {rss0:.1f} MB at start; {args.minutes} min")
        print(header)
        end = started + args.minutes * 60
        while time.monotonic() < end and envoy.is_running():
            time.sleep(min(args.every, max(0.0, end - time.monotonic())))
            with load.lock:
                counts = by_status(load.status)
                total, traps = sum(counts.values()), load.traps
            crashed, created = crashes(envoy)
            row = (
                f"| {time.monotonic() - started:.0f} | {rss_mb(envoy.pid):.1f} | {total} | "
                f"{' '.join(f'{k}:{v}' for k, v in counts.items())} | {traps} | {crashed} | "
                f"{created} |"
            )
            rows.append(row)
            print(row, flush=True)
        load.stop.set()
        for t in threads:
            t.join(timeout=15)
        alive = envoy.is_running()
        elapsed = time.monotonic() - started
        total = sum(load.status.values())
        kinds: dict[str, dict[int, int]] = collections.defaultdict(dict)
        for (kind, code), n in sorted(load.status.items()):
            kinds[kind][code] = n
    finally:
        envoy.stop()
    summary = [
        f"## Soak ({datetime.date.today()}, {args.minutes:g} min, <= {args.rate:g} req/s, "
        f"{args.workers} workers, trap every {args.trap_every:g} s, {args.failure_policy})",
        "",
        "Figures from a shared 2-core machine (other jobs running): RSS and counts, not timings.",
        "",
        *rows,
        "",
        "Answers by kind of request: "
        + "; ".join(f"{k}: {dict(v)}" for k, v in sorted(kinds.items())),
        "",
        f"Achieved {total / elapsed:.0f} requests/s (load average {os.getloadavg()[0]:.1f} at "
        f"the end). Envoy still running at the end: {alive}.",
    ]
    print("\n".join(summary[-3:]))
    if not args.no_write:
        write_results(summary)
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
