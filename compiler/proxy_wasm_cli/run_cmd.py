"""``proxy-wasm run``: build a filter and serve it through a local Envoy (plus ``deploy``)."""

from __future__ import annotations

import dataclasses
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import click

from proxy_wasm_cli.deploy_group import deploy, failure_policy_option
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.config import (
    LOCALHOST,
    UPSTREAM_CLUSTER,
    ClusterSpec,
    ListenerSpec,
    bootstrap,
    dump_yaml,
    load_config_option,
    parse_host_port,
)
from proxy_wasm_envoy.deployment import load_deployment
from proxy_wasm_envoy.logs import LogRecord
from proxy_wasm_envoy.process import start_config
from proxy_wasm_envoy.source import (
    build_python_filter,
    check_proxy_wasm,
    resolve_module,
)
from proxy_wasm_envoy.upstream import EchoServer

LISTENER = "filter"
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
@click.argument("target")
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
def run_command(
    target: str,
    config: str | None,
    port: int,
    print_config: bool,
    concurrency: int,
    root_id: str,
    upstream: str | None,
    log_level: str,
    clusters: tuple[str, ...],
    failure_policy: str,
) -> None:
    """Build TARGET and serve it through a local Envoy on 127.0.0.1.

    TARGET is a filter (FILTER.py, or a folder holding filter.py), a built FILE.wasm, or
    oci://REGISTRY/REPO:TAG. Requests go to a built-in upstream that answers with the request
    it received as JSON, so you see what the filter changed. Ctrl-C stops Envoy.

    \b
    Examples:
      proxy-wasm run examples/http_headers
      proxy-wasm run my_filter.py --config '{"header": "x-hello"}' --port 8080
      proxy-wasm run oci://127.0.0.1:5000/team/auth:1.0
      proxy-wasm run my_filter.py --print-config > envoy.yaml
    """
    plugin_config = load_config_option(config)
    upstream_host, upstream_port = (
        parse_host_port(upstream, "--upstream") if upstream else (LOCALHOST, 0)
    )
    resolved = resolve_module(target)
    check_proxy_wasm(resolved)
    wasm_level = "trace" if log_level == "trace" else log_level
    overrides = dict(parse_cluster_option(value) for value in clusters)
    folder = Path(target) if not target.startswith("oci://") and Path(target).is_dir() else None
    extra_clusters: list[ClusterSpec] = []
    if folder is not None:
        # A filter folder deploys as its example.yaml says (listener kind, plugins, clusters).
        deployment = load_deployment(folder)
        changes: dict[str, Any] = {}
        if config is not None:
            changes["config"] = plugin_config
        if root_id:
            changes["root_id"] = root_id
        deployment = dataclasses.replace(deployment, **changes)

        def build(source: Path) -> Path:
            same = source.resolve() == deployment.filter.resolve()
            return resolved.path if same else build_python_filter(source)

        listener = deployment.listener(LISTENER, build, port=port)
        for plugin in listener.plugins:
            plugin.failure_policy = failure_policy
        for name in deployment.clusters:
            if name not in overrides:
                click.echo(
                    f"cluster {name!r} is served by the echo upstream "
                    f"(--cluster {name}=HOST:PORT[,h2] sends it elsewhere)",
                    err=True,
                )
        extra_clusters = [
            overrides.get(name) or ClusterSpec(name, 0) for name in deployment.clusters
        ]
    else:
        listener = ListenerSpec(
            LISTENER,
            wasm_path=resolved.path,
            config=plugin_config,
            port=port,
            root_id=root_id,
            failure_policy=failure_policy,
        )
    extra_clusters += [c for n, c in overrides.items() if n not in {e.name for e in extra_clusters}]
    if print_config:
        shown_port = upstream_port or 8080
        shown = [dataclasses.replace(c, port=c.port or shown_port) for c in extra_clusters]
        cfg = bootstrap(
            [listener],
            [ClusterSpec(UPSTREAM_CLUSTER, shown_port, upstream_host), *shown],
            admin_port=9901,
        )
        if not upstream:
            click.echo(
                f"# cluster {UPSTREAM_CLUSTER!r}: `proxy-wasm run` puts its echo "
                f"upstream here (shown as {LOCALHOST}:{shown_port})"
            )
        click.echo(dump_yaml(cfg), nl=False)
        return

    echo: EchoServer | None = None
    if upstream is None or any(c.port == 0 for c in extra_clusters):
        echo = EchoServer().start()
    if upstream is None:
        assert echo is not None
        upstream_port = echo.port
    served = [
        dataclasses.replace(c, port=c.port or (echo.port if echo else 0)) for c in extra_clusters
    ]
    cfg = bootstrap(
        [listener], [ClusterSpec(UPSTREAM_CLUSTER, upstream_port, upstream_host), *served]
    )
    color = sys.stdout.isatty()
    on_record = _printer(color)
    click.echo(f"starting Envoy with {resolved.source} ({resolved.module.size / 1e6:.2f} MB)...")
    try:
        envoy = start_config(
            cfg,
            concurrency=concurrency,
            log_level="warn",
            component_log_level=f"wasm:{wasm_level}",
            on_record=on_record,
            upstream=echo,
        )
    except KeyboardInterrupt:
        if echo is not None:
            echo.stop()
        raise click.exceptions.Abort() from None
    except BaseException:
        if echo is not None:
            echo.stop()
        raise
    url = envoy.url(LISTENER)
    click.echo(
        f"Envoy is ready in {envoy.start_seconds:.2f} s: {url} "
        f"(admin {envoy.admin_url}, pid {envoy.pid})"
    )
    click.echo(f"try:  curl -i {url}/hello -H 'x-user: alice'")
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
        raise UserError(f"Envoy exited unexpectedly (exit code {code}); see the log above")
    click.echo("Envoy stopped")


def parse_cluster_option(value: str) -> tuple[str, ClusterSpec]:
    """``NAME=HOST:PORT[,h2]`` -> (name, cluster)."""
    name, sep, rest = value.partition("=")
    if not sep or not name:
        raise UserError(f"--cluster {value!r}: expected NAME=HOST:PORT[,h2]")
    address, _, flag = rest.partition(",")
    if flag not in ("", "h2"):
        raise UserError(f"--cluster {value!r}: the only option after the address is 'h2'")
    host, cluster_port = parse_host_port(address, "--cluster")
    return name, ClusterSpec(name, cluster_port, host, http2=flag == "h2")


COMMANDS: list[click.Command] = [run_command, deploy]
