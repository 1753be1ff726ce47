"""``proxy-wasm deploy``: configuration that deploys a published filter to a proxy.

This group lists all its subcommands: ``deploy envoy`` is defined here, ``deploy istio`` beside
the hub verbs it shares options with (``hub_cmd.py``, imported only when it runs).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from proxy_wasm_cli.lazy import LazyGroup
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_envoy.config import (
    DEFAULT_FAILURE_POLICY,
    FAILURE_POLICIES,
    LOCALHOST,
    SHARED_VM_ID,
    UPSTREAM_CLUSTER,
    ClusterSpec,
    Json,
    ListenerSpec,
    bootstrap,
    dump_yaml,
    http_wasm_filter,
    load_config_option,
    parse_host_port,
    remote_plugin,
    sha256_file,
)
from proxy_wasm_envoy.source import check_proxy_wasm, resolve_module

F = TypeVar("F", bound=Callable[..., Any])


@click.group("deploy", cls=LazyGroup, lazy={"istio": "proxy_wasm_cli.hub_cmd:deploy_istio_command"})
def deploy() -> None:
    """Generate the configuration that deploys a filter to Envoy or Istio."""


def envoy_fragment(plugin_filters: list[Json], code_cluster: Json) -> str:
    """The fragment text: the HTTP filter and the cluster Envoy fetches the code through."""
    head = (
        "# proxy-wasm deploy envoy: add the entry under http_filters to your\n"
        "# HttpConnectionManager's http_filters (before envoy.filters.http.router), and the\n"
        "# cluster to static_resources.clusters (Envoy fetches the module through it).\n"
    )
    return head + dump_yaml({"http_filters": plugin_filters, "clusters": [code_cluster]})


def envoy_full_bootstrap(
    listener_filters: list[Json],
    code_cluster: ClusterSpec,
    *,
    port: int,
    upstream: tuple[str, int],
    admin_port: int,
) -> Json:
    """A runnable bootstrap: 127.0.0.1:port -> the filter -> ``upstream``."""
    listener = ListenerSpec("main", port=port, extra_http_filters=listener_filters)
    return bootstrap(
        [listener],
        [ClusterSpec(UPSTREAM_CLUSTER, upstream[1], upstream[0]), code_cluster],
        admin_port=admin_port,
    )


def resolve_sha256(target: str | None, sha256: str | None) -> str:
    """The sha256 Envoy must check: from the module (built/pulled/read), or ``--sha256``."""
    computed: str | None = None
    if target is not None:
        resolved = resolve_module(target)
        check_proxy_wasm(resolved)
        computed = sha256_file(resolved.path)
    if sha256 is not None:
        given = sha256.lower().removeprefix("sha256:")
        if computed is not None and given != computed:
            raise UserError(f"--sha256 {given} does not match {target} (its sha256 is {computed})")
        return given
    if computed is None:
        raise UserError("give the module (FILE.wasm, FILTER.py or oci://REF) or --sha256")
    return computed


def failure_policy_option() -> Callable[[F], F]:
    """``--failure-policy``, shared by ``run`` and ``deploy envoy``."""
    return click.option(
        "--failure-policy",
        type=click.Choice(FAILURE_POLICIES),
        default=DEFAULT_FAILURE_POLICY,
        show_default=True,
        help="What Envoy does after the VM crashes (a trap): FAIL_RELOAD starts a new VM for the "
        "next request, FAIL_CLOSED answers 503 until Envoy restarts, FAIL_OPEN skips the filter.",
    )


@deploy.command("envoy")
@click.argument("target", required=False, metavar="[REF|FILE]")
@click.option("--url", help="http(s) URL Envoy fetches the .wasm from (vm_config.code.remote).")
@click.option(
    "--native",
    is_flag=True,
    help="Run FILTER.py natively in Envoy on this machine (dynamic module; no --url).",
)
@click.option("--sha256", help="sha256 of the module bytes (computed from REF|FILE if given).")
@click.option(
    "--full/--fragment",
    "full",
    default=False,
    show_default=True,
    help="A complete bootstrap, or only the filter + cluster to paste in.",
)
@click.option(
    "--config",
    "config",
    metavar="JSON|@FILE",
    help="Plugin configuration (inline JSON or @file, JSON or YAML).",
)
@click.option("--name", default="proxy-wasm-python", show_default=True, help="Plugin name.")
@click.option("--root-id", default="", help="PluginConfig.root_id.")
@click.option("--vm-id", default="", help="VmConfig.vm_id (VMs with equal ids are shared).")
@failure_policy_option()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=10000,
    show_default=True,
    help="--full: listener port on 127.0.0.1.",
)
@click.option(
    "--admin-port",
    type=click.IntRange(0, 65535),
    default=9901,
    show_default=True,
    help="--full: admin port on 127.0.0.1.",
)
@click.option(
    "--upstream",
    metavar="HOST:PORT",
    default=f"{LOCALHOST}:8080",
    show_default=True,
    help="--full: where the listener forwards requests.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
def deploy_envoy(
    target: str | None,
    url: str | None,
    native: bool,
    sha256: str | None,
    full: bool,
    config: str | None,
    name: str,
    root_id: str,
    vm_id: str,
    failure_policy: str,
    port: int,
    admin_port: int,
    upstream: str,
    output: Path | None,
) -> None:
    """Envoy configuration that loads the filter from URL (remote code, checked by sha256).

    Serve the .wasm over HTTP(S) at URL; Envoy downloads it at start-up through a cluster
    for the URL's host and refuses it unless its sha256 matches.

    \b
    Examples:
      proxy-wasm deploy envoy filter.wasm --url http://files.internal/filter.wasm
      proxy-wasm deploy envoy oci://127.0.0.1:5000/team/auth:1.0 \\
          --url https://cdn.example.com/auth.wasm --full -o envoy.yaml
      proxy-wasm deploy envoy --url http://10.0.0.5/f.wasm --sha256 9f86d0...
    """
    if native:
        from proxy_wasm_cli.native_cmd import deploy_native

        text = deploy_native(
            target,
            config=load_config_option(config),
            name=name,
            root_id=root_id,
            vm_id=vm_id,
            full=full,
            port=port,
            admin_port=admin_port,
            upstream=upstream,
        )
        _emit(text, output, "")
        return
    if url is None:
        raise UserError("deploy envoy needs --url (where Envoy fetches the .wasm) or --native")
    digest = resolve_sha256(target, sha256)
    plugin_config = load_config_option(config)
    # A module built from several filters: one plugin per root id, all in one VM.
    root_ids = [root_id]
    if target is not None and not root_id:
        info = resolve_module(target).module.build_info() or {}
        root_ids = info.get("root_ids") or [root_id]
        vm_id = vm_id or (SHARED_VM_ID if len(root_ids) > 1 else "")
    entries = []
    for rid in root_ids:
        plugin, code_cluster = remote_plugin(
            url,
            digest,
            config=plugin_config,
            name=rid if len(root_ids) > 1 else name,
            root_id=rid,
            vm_id=vm_id,
            failure_policy=failure_policy,
        )
        entries.append(http_wasm_filter(plugin))
    if full:
        cfg = envoy_full_bootstrap(
            entries,
            code_cluster,
            port=port,
            upstream=parse_host_port(upstream, "--upstream"),
            admin_port=admin_port,
        )
        text = dump_yaml(cfg)
    else:
        text = envoy_fragment(entries, code_cluster.to_dict())
    _emit(text, output, f" (sha256 {digest})")


def _emit(text: str, output: Path | None, note: str) -> None:
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"{output}: cannot write: {exc.strerror}") from None
        click.echo(f"wrote {output}{note}", err=True)
    else:
        click.echo(text, nl=False)
