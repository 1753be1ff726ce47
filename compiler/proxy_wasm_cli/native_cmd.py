"""``proxy-wasm run --native`` / ``--pdb`` and ``proxy-wasm deploy envoy --native``.

The filter runs inside Envoy through the native runtime (``proxy_wasm_envoy.native``): no build
step; the filter and its imports, C extensions included, come from this Python.
"""

from __future__ import annotations

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
    ListenerSpec,
    bootstrap,
    dump_yaml,
    parse_host_port,
    write_config,
)
from proxy_wasm_envoy.native import (
    SEARCH_PATH_ENV,
    build_native_module,
    filter_source,
    native_environment,
    native_http_filter,
)
from proxy_wasm_envoy.process import envoy_command
from proxy_wasm_envoy.serve import ServePlan, start_upstream


def run_pdb(plan: ServePlan, log_level: str) -> None:
    """``proxy-wasm run --pdb``: Envoy with one worker, sharing this terminal, so
    ``breakpoint()`` in the filter stops the live request at a pdb prompt."""
    import tempfile

    assert plan.native_dir is not None, "--pdb plans the native runtime"
    echo = start_upstream(plan)
    try:
        cfg = plan.bootstrap(echo.port if echo else 0)
        os.environ.update(native_environment(plan.native_dir))
        with tempfile.TemporaryDirectory(prefix="proxy-wasm-native-") as tmp:
            config_path = write_config(cfg, Path(tmp) / "envoy.yaml")
            cmd = envoy_command(
                config_path,
                concurrency=1,
                log_level="warn",
                component_log_level=plan.component_log_level(log_level),
            )
            click.echo(
                f"Envoy (native, one worker, pdb enabled) on http://{LOCALHOST}:{plan.listener.port}"
            )
            click.echo("breakpoint() in the filter stops the request here; Ctrl-C stops Envoy")
            previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                code = subprocess.call(cmd)
            finally:
                signal.signal(signal.SIGINT, previous)
    finally:
        if echo is not None:
            echo.stop()
    if code not in (0, -signal.SIGINT, -signal.SIGTERM):
        raise UserError(f"Envoy exited with code {code}; see the log above")


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
