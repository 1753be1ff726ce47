"""``proxy-wasm run --native`` / ``--pdb`` and ``proxy-wasm deploy envoy --native``.

The filter runs inside Envoy through the native runtime (``proxy_wasm_envoy.native``): no build
step; the filter and its imports, C extensions included, come from this Python.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

import click

from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.config import (
    LOCALHOST,
    UPSTREAM_CLUSTER,
    ClusterSpec,
    Json,
    ListenerSpec,
    bootstrap,
    dump_yaml,
    parse_host_port,
    write_config,
)
from proxy_wasm_envoy.deployment import load_deployment
from proxy_wasm_envoy.native import (
    SEARCH_PATH_ENV,
    build_native_module,
    deployment_listener,
    native_environment,
    native_http_filter,
    native_listener,
)
from proxy_wasm_envoy.process import envoy_command, start_config
from proxy_wasm_envoy.upstream import EchoServer

LISTENER = "filter"
COMPONENT_LOGS = "wasm:{level},dynamic_modules:{level}"


def filter_source(target: str) -> tuple[Path, Path | None]:
    """``(filter.py, folder or None)`` for TARGET (FILTER.py or a folder holding filter.py)."""
    if target.startswith("oci://") or target.endswith(".wasm"):
        raise UserError(f"{target}: --native runs Python sources (FILTER.py or a folder), not Wasm")
    path = Path(target)
    if path.is_dir():
        if not (path / "filter.py").exists():
            raise UserError(f"{target}: the folder has no filter.py")
        return path / "filter.py", path
    if not path.exists():
        raise UserError(f"{target}: no such file")
    if path.suffix != ".py":
        raise UserError(f"{target}: expected a .py filter or a folder holding filter.py")
    return path, None


def native_run_listener(
    target: str, *, config: str | None, root_id: str, port: int
) -> tuple[ListenerSpec, list[str]]:
    """The listener serving TARGET natively and the extra clusters its example.yaml names."""
    source, folder = filter_source(target)
    if folder is None:
        return native_listener(LISTENER, source, port=port, config=config, root_id=root_id), []
    deployment = load_deployment(folder)
    changes: dict[str, object] = {}
    if config is not None:
        changes["config"] = config
    if root_id:
        changes["root_id"] = root_id
    deployment = dataclasses.replace(deployment, **changes)  # type: ignore[arg-type]
    return deployment_listener(deployment, LISTENER, port=port), list(deployment.clusters)


def run_native(
    target: str,
    *,
    config: str | None,
    port: int,
    print_config: bool,
    concurrency: int,
    root_id: str,
    upstream: str | None,
    log_level: str,
    clusters: dict[str, ClusterSpec],
    pdb: bool,
) -> None:
    """``proxy-wasm run TARGET --native`` (``pdb``: one worker, Envoy in the foreground)."""
    listener, named = native_run_listener(target, config=config, root_id=root_id, port=port)
    upstream_host, upstream_port = (
        parse_host_port(upstream, "--upstream") if upstream else (LOCALHOST, 0)
    )
    extra = [clusters.get(n) or ClusterSpec(n, 0) for n in named]
    extra += [c for n, c in clusters.items() if n not in named]
    module_dir = build_native_module()
    if print_config:
        shown_port = upstream_port or 8080
        shown = [dataclasses.replace(c, port=c.port or shown_port) for c in extra]
        cfg = bootstrap(
            [listener],
            [ClusterSpec(UPSTREAM_CLUSTER, shown_port, upstream_host), *shown],
            admin_port=9901,
        )
        click.echo(f"# run Envoy with {SEARCH_PATH_ENV}={module_dir}")
        click.echo(dump_yaml(cfg), nl=False)
        return
    echo = EchoServer().start() if upstream is None or any(c.port == 0 for c in extra) else None
    try:
        if echo is not None and upstream is None:
            upstream_port = echo.port
        served = [dataclasses.replace(c, port=c.port or (echo.port if echo else 0)) for c in extra]
        cfg = bootstrap(
            [listener], [ClusterSpec(UPSTREAM_CLUSTER, upstream_port, upstream_host), *served]
        )
        os.environ.update(native_environment(module_dir))
        level = COMPONENT_LOGS.format(level=log_level)
        if pdb:
            _foreground(cfg, level, port)
        else:
            _background(cfg, level, concurrency, echo)
            echo = None  # stopped with Envoy
    finally:
        if echo is not None:
            echo.stop()


def _foreground(cfg: Json, level: str, port: int) -> None:
    """Envoy with one worker, sharing this terminal: ``breakpoint()`` stops at a pdb prompt."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="proxy-wasm-native-") as tmp:
        config_path = write_config(cfg, Path(tmp) / "envoy.yaml")
        cmd = envoy_command(config_path, concurrency=1, log_level="warn", component_log_level=level)
        click.echo(f"Envoy (native, one worker, pdb enabled) on http://{LOCALHOST}:{port}")
        click.echo("breakpoint() in the filter stops the request here; Ctrl-C stops Envoy")
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            code = subprocess.call(cmd)
        finally:
            signal.signal(signal.SIGINT, previous)
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise UserError(f"Envoy exited with code {code}; see the log above")


def _background(cfg: Json, level: str, concurrency: int, echo: EchoServer | None) -> None:
    from proxy_wasm_cli.run_cmd import _printer, serve_until_stopped

    envoy = start_config(
        cfg,
        concurrency=concurrency,
        log_level="warn",
        component_log_level=level,
        on_record=_printer(sys.stdout.isatty()),
        upstream=echo,
    )
    url = envoy.url(LISTENER)
    click.echo(f"Envoy (native) is ready in {envoy.start_seconds:.2f} s: {url} (pid {envoy.pid})")
    click.echo(f"try:  curl -i {url}/hello")
    serve_until_stopped(envoy)


def deploy_native(
    target: str | None,
    *,
    config: str | None,
    name: str,
    root_id: str,
    vm_id: str,
    full: bool,
    port: int,
    admin_port: int,
    upstream: str,
) -> str:
    """``proxy-wasm deploy envoy FILTER --native``: the config text (fragment or full)."""
    if target is None:
        raise UserError("--native needs the filter: proxy-wasm deploy envoy FILTER.py --native")
    source, _ = filter_source(target)
    module_dir = build_native_module()
    entry = native_http_filter(source, config=config, name=name, root_id=root_id, vm_id=vm_id)
    head = (
        f"# proxy-wasm deploy envoy --native: run Envoy 1.40 with\n"
        f"#   {SEARCH_PATH_ENV}={module_dir}\n"
        f"# on this machine (the filter and its imports come from {sys.executable}).\n"
    )
    if full:
        listener = ListenerSpec("main", port=port, extra_http_filters=[entry])
        host, up_port = parse_host_port(upstream, "--upstream")
        cfg = bootstrap(
            [listener], [ClusterSpec(UPSTREAM_CLUSTER, up_port, host)], admin_port=admin_port
        )
        return head + dump_yaml(cfg)
    return (
        head
        + "# add the entry under http_filters to your HttpConnectionManager's http_filters\n"
        + "# (before envoy.filters.http.router).\n"
        + dump_yaml({"http_filters": [entry]})
    )
