"""``proxy-wasm build``: compile a Python filter into a Proxy-Wasm module."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from proxy_wasm_compiler.build import BuildOptions, BuildResult, build_filter, build_filters
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_compiler.proxies import PROXIES


def resolve_filter_path(path: Path) -> Path:
    """Accept a filter file or a folder holding ``filter.py`` (as in ``examples/NAME``)."""
    if path.is_dir():
        candidate = path / "filter.py"
        if not candidate.is_file():
            raise UserError(f"{path} is a folder without a filter.py")
        return candidate
    return path


@click.command("build")
@click.argument("filter_paths", metavar="FILTER.py...", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="Where to write the module (default: FILTER.wasm beside the source).",
)
@click.option(
    "--no-snapshot",
    is_flag=True,
    help="Do not pre-initialise: CPython starts in each VM on its first callback.",
)
@click.option(
    "--no-trim",
    is_flag=True,
    help="Keep CPython's compiler and start-up code after the snapshot (eval/exec of source "
    "at run time need it); bigger module, slower proxy start.",
)
@click.option(
    "-O",
    "optimize",
    count=True,
    help="Python optimisation level of the bytecode (-O drops asserts, -OO docstrings).",
)
@click.option("--size", "optimize_size", is_flag=True, help="Compile the C parts for size (-Os).")
@click.option(
    "--target",
    type=click.Choice([p.key for p in PROXIES]),
    default="envoy-1.40",
    show_default=True,
    help="Proxy whose imports the module is checked against.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds the pre-initialisation (which imports the filter) may take "
    "[default: $PROXY_WASM_BUILD_TIMEOUT or 120].",
)
@click.option("-v", "--verbose", is_flag=True, help="Show each build step with its time.")
def build(
    filter_paths: tuple[str, ...],
    output: Path | None,
    no_snapshot: bool,
    no_trim: bool,
    optimize: int,
    optimize_size: bool,
    target: str,
    timeout: float | None,
    verbose: bool,
) -> None:
    """Build FILTER.py into a Proxy-Wasm module that Envoy and Istio load.

    Several filters (in one folder) make one module with one interpreter: each is selected by
    the plugin's root id (Envoy's root_id, Istio's plugin name), by default its file's stem, or
    the name after a colon (auth.py:auth-v2).

    \b
    Examples:
      proxy-wasm build my_filter.py                # writes my_filter.wasm
      proxy-wasm build examples/http_headers -o headers.wasm -v
      proxy-wasm build auth.py headers.py -o filters.wasm   # root ids: auth, headers
    """
    several = len(filter_paths) > 1 or ":" in filter_paths[0]
    if several and output is None:
        raise UserError("building several filters (or naming a root id) needs -o FILE.wasm")
    options = BuildOptions(
        snapshot=not no_snapshot,
        trim=not no_trim,
        optimize=min(optimize, 2),
        optimize_size=optimize_size,
        target=target,
        timeout=timeout,
    )
    console = Console(stderr=True)
    if several:
        assert output is not None
        with console.status("building the filters", spinner="dots"):
            result = build_filters(list(filter_paths), output, options=options)
    else:
        source = resolve_filter_path(Path(filter_paths[0]))
        result = run_build(source, output, options, console, verbose)
    click.echo(f"built {result.path} ({result.size / 1e6:.2f} MB) in {result.seconds:.1f} s")


def run_build(
    source: Path, output: Path | None, options: BuildOptions, console: Console, verbose: bool
) -> BuildResult:
    """Build with a status line (and, with ``verbose``, one line per finished step)."""
    with console.status(f"building {source.name}", spinner="dots") as status:

        def progress(message: str) -> None:
            status.update(f"building {source.name}: {message}")
            if verbose:
                console.print(f"  [green]✓[/green] {message}")

        return build_filter(source, output, options=options, progress=progress)
