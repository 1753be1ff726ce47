"""``proxy-wasm run``: build a filter and serve it through a local Envoy.

The work is :mod:`proxy_wasm_envoy.serve`; this module parses the options, prints the filter's
logs as they come, and waits for Ctrl-C.
"""

from __future__ import annotations

import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import click

from proxy_wasm_cli.deploy_group import failure_policy_option
from proxy_wasm_compiler.errors import ToolError, UserError
from proxy_wasm_envoy.config import ClusterSpec, load_config_option, parse_host_port
from proxy_wasm_envoy.logs import LogRecord
from proxy_wasm_envoy.process import RunningEnvoy
from proxy_wasm_envoy.serve import LISTENER, plan_serve, serve

_LEVEL_STYLE = {
    "trace": "bright_black",
    "debug": "bright_black",
    "info": "green",
    "warning": "yellow",
    "error": "red",
    "critical": "red",
}


def _printer(color: bool) -> Callable[[LogRecord], None]:
    """A log callback printing the filter's log lines (and Envoy's errors) cleanly."""
    lock = threading.Lock()

    def on_record(record: LogRecord) -> None:
        entry = record.wasm()
        if entry is not None:
            label = f"[{entry.level}]"
            text = entry.message
            if "\n" in text:
                text = text.replace("\n", "\n    ")
            line = f"{click.style(label, fg=_LEVEL_STYLE.get(entry.level))} {text}"
        elif record.level in ("error", "critical"):
            line = click.style(f"envoy {record.level}: {record.message}", fg="red")
        else:
            return
        with lock:
            click.echo(line, color=color)

    return on_record


@click.command("run")
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@click.option(
    "--config",
    "config",
    metavar="JSON|@FILE",
    help="Plugin configuration passed to on_configure (inline JSON or @file).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=10000,
    show_default=True,
    help="Listener port on 127.0.0.1 (0: pick a free one).",
)
@click.option("--print-config", is_flag=True, help="Print the Envoy bootstrap and exit.")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Envoy worker threads (one Wasm VM each).",
)
@click.option("--root-id", default="", help="Root context id (PluginConfig.root_id).")
@click.option(
    "--upstream",
    metavar="HOST:PORT",
    help="Send requests to this server instead of the built-in echo upstream.",
)
@click.option(
    "--log-level",
    type=click.Choice(["trace", "debug", "info", "warning", "error"]),
    default="debug",
    show_default=True,
    help="Lowest filter log level shown.",
)
@click.option(
    "--cluster",
    "clusters",
    multiple=True,
    metavar="NAME=HOST:PORT[,h2]",
    help="A cluster the filter calls out to (h2: HTTP/2, for gRPC). Repeatable.",
)
@failure_policy_option()
@click.option(
    "--native",
    is_flag=True,
    help="Run the filter.py inside Envoy natively (CPython in a dynamic module): no build.",
)
@click.option(
    "--pdb",
    is_flag=True,
    help="With --native: one worker in the foreground; breakpoint() stops at a pdb prompt.",
)
def run_command(
    targets: tuple[str, ...],
    config: str | None,
    port: int,
    print_config: bool,
    concurrency: int,
    root_id: str,
    upstream: str | None,
    log_level: str,
    clusters: tuple[str, ...],
    failure_policy: str,
    native: bool,
    pdb: bool,
) -> None:
    """Build TARGET and serve it through a local Envoy on 127.0.0.1.

    TARGET is a filter (FILTER.py, or a folder holding filter.py), a built FILE.wasm, or
    oci://REGISTRY/REPO:TAG. Several FILTER.py[:ROOT_ID] (one folder) are built into one module
    and each runs as its own plugin of one shared VM, in order; so does a module built from
    several filters, unless --root-id picks one. Requests go to a built-in upstream that answers
    with the request it received as JSON, so you see what the filter changed. Ctrl-C stops Envoy.

    \b
    Examples:
      proxy-wasm run examples/http_headers
      proxy-wasm run my_filter.py --config '{"header": "x-hello"}' --port 8080
      proxy-wasm run oci://127.0.0.1:5000/team/auth:1.0
      proxy-wasm run my_filter.py --print-config > envoy.yaml
      proxy-wasm run auth.py headers.py
    """
    target = targets[0]
    if len(targets) > 1 and (native or pdb):
        raise UserError("--native serves one filter: give one TARGET")
    if len(targets) > 1 or (":" in target and not target.startswith("oci://")):
        from proxy_wasm_compiler.build import build_filters

        built = Path(tempfile.mkdtemp(prefix="proxy-wasm-run-")) / "filters.wasm"
        target = str(build_filters(list(targets), built).path)
    native = native or pdb
    plan = plan_serve(
        target,
        config=load_config_option(config),
        port=port,
        root_id=root_id,
        upstream=parse_host_port(upstream, "--upstream") if upstream else None,
        clusters=[parse_cluster_option(value) for value in clusters],
        failure_policy=failure_policy,
        native=native,
    )
    for note in plan.notes:
        click.echo(note, err=True)
    if print_config:
        click.echo(plan.config_yaml(), nl=False)
        return
    if pdb:
        from proxy_wasm_cli.native_cmd import run_pdb

        run_pdb(plan, log_level)
        return
    if plan.resolved is not None:
        size = plan.resolved.module.size / 1e6
        click.echo(f"starting Envoy with {plan.resolved.source} ({size:.2f} MB)...")
    try:
        envoy = serve(
            plan,
            concurrency=concurrency,
            log_level=log_level,
            on_record=_printer(sys.stdout.isatty()),
        )
    except KeyboardInterrupt:
        raise click.exceptions.Abort() from None
    url = envoy.url(LISTENER)
    if native:
        click.echo(
            f"Envoy (native) is ready in {envoy.start_seconds:.2f} s: {url} (pid {envoy.pid})"
        )
        click.echo(f"try:  curl -i {url}/hello")
    else:
        click.echo(
            f"Envoy is ready in {envoy.start_seconds:.2f} s: {url} "
            f"(admin {envoy.admin_url}, pid {envoy.pid})"
        )
        click.echo(f"try:  curl -i {url}/hello -H 'x-user: alice'")
    serve_until_stopped(envoy)


def serve_until_stopped(envoy: RunningEnvoy) -> None:
    """Serve until SIGINT or SIGTERM, then stop; a :class:`ToolError` if Envoy exits first."""
    click.echo("filter logs follow; Ctrl-C stops Envoy")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    previous_int = signal.signal(signal.SIGINT, on_signal)
    try:
        while not stop.is_set() and envoy.is_running():
            try:
                stop.wait(0.2)
            except KeyboardInterrupt:
                stop.set()
    except KeyboardInterrupt:
        stop.set()
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
        died = not envoy.is_running()
        code = envoy.stop()
    if died and not stop.is_set():
        raise ToolError(f"Envoy exited unexpectedly (exit code {code}); see the log above")
    click.echo("Envoy stopped")


def parse_cluster_option(value: str) -> ClusterSpec:
    """``NAME=HOST:PORT[,h2]`` -> the cluster."""
    name, sep, rest = value.partition("=")
    if not sep or not name:
        raise UserError(f"--cluster {value!r}: expected NAME=HOST:PORT[,h2]")
    address, _, flag = rest.partition(",")
    if flag not in ("", "h2"):
        raise UserError(f"--cluster {value!r}: the only option after the address is 'h2'")
    host, cluster_port = parse_host_port(address, "--cluster")
    return ClusterSpec(name, cluster_port, host, http2=flag == "h2")
