"""Which binaryen level to trim with: code size and V8's eager compile time per level.

Builds the reference filter (benchmarks/filters/reference.py, or the .py files given), keeps the
snapshot the trim stage receives, trims it at every level of ``proxy_wasm_compiler.trim.LEVELS``
(and not at all), and times node's V8 compiling each module the way Envoy's V8 does (TurboFan
only, every function before the module is ready: ``--no-liftoff --no-wasm-lazy-compilation``):
CPU time of a single-threaded node (includes node's own start, about 40 ms), and wall time
with V8's default compile threads. Needs ``node`` on PATH.

    python benchmarks/bench_trim.py [--repeats 5] [filter.py ...]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from proxy_wasm_compiler import build, trim
from proxy_wasm_compiler.wasm_module import read_module

HERE = Path(__file__).resolve().parent
COMPILE_JS = """
const fs = require('fs');
const bytes = fs.readFileSync(process.argv[1]);
const t0 = process.hrtime.bigint();
new WebAssembly.Module(bytes);
console.log(Number(process.hrtime.bigint() - t0) / 1e6);
"""
V8_FLAGS = ["--no-liftoff", "--no-wasm-lazy-compilation"]


def snapshot_of(source: Path, work: Path) -> bytes:
    """Build ``source`` and return the snapshot module the trim stage got."""
    seen: list[bytes] = []
    real = build.trim_module

    def keep(data: bytes, optimize_level: str = trim.OPTIMIZE_LEVEL) -> tuple[bytes, object]:
        seen.append(data)
        return real(data, optimize_level)

    build.trim_module = keep  # type: ignore[assignment]
    try:
        build.build_filter(source, work / "built.wasm")
    finally:
        build.trim_module = real
    return seen[0]


def compile_ms(module: Path, threads: bool, repeats: int) -> list[float]:
    """Wall time of ``new WebAssembly.Module`` in node (ms), or with ``threads=False`` the CPU
    time of the whole single-threaded node process (ms): steadier on a shared machine."""
    flags = V8_FLAGS + ([] if threads else ["--single-threaded"])
    times = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            ["node", *flags, "-e", COMPILE_JS, str(module)],
            capture_output=True,
            text=True,
            check=True,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000
        times.append(float(out.stdout.strip()) if threads else cpu)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("filters", nargs="*", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    filters = args.filters or [HERE / "filters" / "reference.py"]
    for source in filters:
        with tempfile.TemporaryDirectory(prefix="bench-trim-") as tmp:
            work = Path(tmp)
            snapshot = snapshot_of(source.resolve(), work)
            modules = {"none": work / "none.wasm"}
            modules["none"].write_bytes(trim.strip_custom_sections(snapshot))
            functions = {}
            for level in trim.LEVELS:
                modules[level] = work / f"{level}.wasm"
                trimmed, report = trim.trim_module(snapshot, level)
                modules[level].write_bytes(trimmed)
                functions[level] = report.functions_after
                functions["none"] = report.functions_before
            print(f"\n{source}: V8 TurboFan compile of the whole module, median of {args.repeats}")
            print("| trim | code (kB) | module (kB) | functions | CPU 1 thread (ms) | wall (ms) |")
            print("|---|---:|---:|---:|---:|---:|")
            for level, path in modules.items():
                info = read_module(path)
                code = sum(size for section, size in info.sections if section == 10)
                one = statistics.median(compile_ms(path, False, args.repeats))
                many = statistics.median(compile_ms(path, True, args.repeats))
                count = functions[level]
                print(
                    f"| {level} | {code / 1000:,.0f} | {path.stat().st_size / 1000:,.0f} | "
                    f"{count:,} | {one:,.0f} | {many:,.0f} |"
                )
                sys.stdout.flush()


if __name__ == "__main__":
    main()
