"""``proxy-wasm test SUITE.yaml``: run a declarative suite in the test host or in Envoy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from proxy_wasm_compiler.errors import Location, UserError


class _TestsFailed(click.ClickException):
    exit_code = 1


def _suite_error(exc: Any) -> UserError:
    return UserError(exc.message, Location(exc.file, exc.line, exc.col))


def _filter_frame(exc: BaseException, source: Path) -> Location:
    """The deepest traceback line in the filter's own file (else the file itself)."""
    where = Location(str(source))
    tb = exc.__traceback__
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == source:
            where = Location(str(source), tb.tb_lineno)
        tb = tb.tb_next
    return where


def _checked_host(suite: Any, runtime: str) -> Any:
    """``make_host``, with a filter that cannot load turned into one located UserError."""
    from proxy_wasm.testing.suite import make_host

    source = Path(suite.filter).resolve()
    if runtime == "null" and source.suffix == ".wasm":
        raise UserError(
            f"{source}: a built .wasm module runs with --runtime wasm or envoy, not null"
        )
    try:
        return make_host(suite, runtime)
    except (UserError, click.ClickException):
        raise
    except Exception as exc:  # the filter's own code raised while it was imported
        if runtime != "null":
            raise
        text = f"{type(exc).__name__}: {exc}".strip().splitlines()[0][:300]
        raise UserError(
            f"the filter raised at import: {text}", _filter_frame(exc, source)
        ) from None


@click.command("test")
@click.argument("suite", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--runtime",
    type=click.Choice(["null", "wasm", "envoy", "native"]),
    default="null",
    show_default=True,
    help=(
        "null: the filter in this Python; wasm: the module in wasmtime; envoy: a real Envoy; "
        "native: a real Envoy running the filter natively (no build)."
    ),
)
@click.option(
    "--benchmark", is_flag=True, help="Repeat each test and report the time per callback."
)
def test(suite: Path, runtime: str, benchmark: bool) -> None:
    """Run the declarative test SUITE (YAML) against a filter.

    \b
    Examples:
      proxy-wasm test examples/http_headers/tests.yaml
      proxy-wasm test tests.yaml --runtime wasm --benchmark
    """
    from proxy_wasm.testing.suite import SuiteError, run_suite

    if runtime in ("envoy", "native"):
        from proxy_wasm_envoy.suite_runner import run_suite as run_in_envoy

        try:
            results = run_in_envoy(suite, benchmark=benchmark, native=runtime == "native")
        except SuiteError as exc:
            raise _suite_error(exc) from exc
    else:
        from proxy_wasm.testing import WasmUnavailable
        from proxy_wasm.testing.wasm_runtime import WasmLoadError

        try:
            results = run_suite(suite, runtime, benchmark=benchmark, host_factory=_checked_host)
        except SuiteError as exc:
            raise _suite_error(exc) from exc
        except (WasmUnavailable, WasmLoadError) as exc:
            raise UserError(str(exc)) from exc
    failed = 0
    for result in results:
        mark = click.style("PASS", fg="green") if result.passed else click.style("FAIL", fg="red")
        click.echo(f"{mark} {result.name}")
        for failure in result.failures:
            click.echo(f"     {failure}")
        if result.timings_us:
            click.echo(f"     {result.iterations} iterations, mean time per callback:")
            for name, us in sorted(result.timings_us.items()):
                click.echo(f"       {name:<40} {us:10.1f} us")
        failed += not result.passed
    click.echo(f"{len(results) - failed} passed, {failed} failed ({runtime} runtime)")
    if failed:
        raise _TestsFailed(f"{failed} test(s) failed")
