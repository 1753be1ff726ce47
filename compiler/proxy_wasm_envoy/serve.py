"""``proxy-wasm run`` as a library: serve one filter through a local Envoy on 127.0.0.1.

Two steps, so the configuration can be printed without starting anything::

    plan = plan_serve("examples/http_headers", port=0)     # resolve (build/pull), check, plan
    print(plan.config_yaml())                               # what `run --print-config` prints
    with serve(plan, on_record=print) as envoy:             # echo upstream + Envoy, until stop()
        urllib.request.urlopen(envoy.url(LISTENER) + "/hello")

A filter folder deploys as its ``example.yaml`` says (listener kind, plugins, clusters); a file
or ``oci://`` reference becomes one HTTP listener. Requests go to a built-in upstream that
answers with the request it received as JSON, unless ``upstream`` names a server; the filter's
own clusters go to that echo upstream too unless ``clusters`` says otherwise. ``native=True``
plans a Python filter for the native runtime (:mod:`proxy_wasm_envoy.native`: no build) the same
way, with a native listener instead of a Wasm one.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from proxy_wasm_envoy.config import (
    DEFAULT_FAILURE_POLICY,
    LOCALHOST,
    SHARED_VM_ID,
    UPSTREAM_CLUSTER,
    ClusterSpec,
    Json,
    ListenerSpec,
    PluginSpec,
    bootstrap,
    dump_yaml,
)
from proxy_wasm_envoy.deployment import load_deployment
from proxy_wasm_envoy.logs import LogRecord
from proxy_wasm_envoy.native import (
    SEARCH_PATH_ENV,
    build_native_module,
    deployment_listener,
    filter_source,
    native_environment,
    native_listener,
)
from proxy_wasm_envoy.process import RunningEnvoy, start_config
from proxy_wasm_envoy.source import (
    ResolvedModule,
    build_python_filter,
    check_proxy_wasm,
    resolve_module,
)
from proxy_wasm_envoy.upstream import EchoServer

LISTENER = "filter"
PRINTED_UPSTREAM_PORT = 8080  # --print-config shows the echo upstream here
PRINTED_ADMIN_PORT = 9901


@dataclass
class ServePlan:
    """What :func:`serve` will start: the module, its listener and the clusters it calls."""

    resolved: ResolvedModule | None  # None: the native runtime (nothing built)
    listener: ListenerSpec
    clusters: list[ClusterSpec]  # the filter's clusters; port 0: the echo upstream serves it
    upstream: tuple[str, int] | None = None  # None: the built-in echo upstream
    notes: list[str] = field(default_factory=list)  # for the user: who serves which cluster
    native_dir: Path | None = None  # the native runtime's dynamic module (its folder)

    @property
    def needs_echo(self) -> bool:
        """Whether the built-in echo upstream has anything to serve."""
        return self.upstream is None or any(c.port == 0 for c in self.clusters)

    def bootstrap(self, echo_port: int, admin_port: int = 0) -> Json:
        """The Envoy bootstrap, the echo upstream (where it serves) at ``echo_port``."""
        host, port = self.upstream or (LOCALHOST, echo_port)
        served = [dataclasses.replace(c, port=c.port or echo_port) for c in self.clusters]
        return bootstrap(
            [self.listener],
            [ClusterSpec(UPSTREAM_CLUSTER, port, host), *served],
            admin_port=admin_port,
        )

    def config_yaml(self) -> str:
        """The Envoy bootstrap as YAML, the echo upstream shown at a fixed port."""
        port = (self.upstream or (LOCALHOST, 0))[1] or PRINTED_UPSTREAM_PORT
        head = ""
        if self.native_dir is not None:
            head = f"# run Envoy with {SEARCH_PATH_ENV}={self.native_dir}\n"
        if self.upstream is None:
            head += (
                f"# cluster {UPSTREAM_CLUSTER!r}: `proxy-wasm run` puts its echo "
                f"upstream here (shown as {LOCALHOST}:{port})\n"
            )
        return head + dump_yaml(self.bootstrap(port, PRINTED_ADMIN_PORT))

    def component_log_level(self, level: str) -> str:
        """Envoy's ``--component-log-level`` showing the filter's logs from ``level`` up."""
        if self.native_dir is not None:
            return f"wasm:{level},dynamic_modules:{level}"
        return f"wasm:{level}"


def plan_serve(
    target: str,
    *,
    config: str | None = None,
    port: int = 10000,
    root_id: str = "",
    upstream: tuple[str, int] | None = None,
    clusters: Sequence[ClusterSpec] = (),
    failure_policy: str | None = DEFAULT_FAILURE_POLICY,
    native: bool = False,
) -> ServePlan:
    """Resolve ``target`` (build a filter, pull a reference), check it, and plan the listener.

    ``config`` is the plugin configuration as JSON text (``None``: the folder's, or none);
    ``clusters`` send the filter's named clusters to real servers; ``failure_policy`` is what
    Envoy does after the filter's VM crashes (every plugin of the listener). ``native``: serve
    the Python filter (FILTER.py or a folder) through the native runtime instead of building it.
    """
    resolved: ResolvedModule | None = None
    if native:
        source, folder = filter_source(target)
    else:
        resolved = resolve_module(target)
        check_proxy_wasm(resolved)
        is_folder = not target.startswith("oci://") and Path(target).is_dir()
        folder = Path(target) if is_folder else None
    overrides = {c.name: c for c in clusters}
    planned: list[ClusterSpec] = []
    notes: list[str] = []
    if folder is not None:
        deployment = load_deployment(folder)
        changes: dict[str, Any] = {}
        if config is not None:
            changes["config"] = config
        if root_id:
            changes["root_id"] = root_id
        deployment = dataclasses.replace(deployment, **changes)

        def build(source: Path) -> Path:
            if resolved is not None and source.resolve() == deployment.filter.resolve():
                return resolved.path
            return build_python_filter(source)

        if native:
            listener = deployment_listener(deployment, LISTENER, port=port)
        else:
            listener = deployment.listener(LISTENER, build, port=port)
            for plugin in listener.plugins:
                plugin.failure_policy = failure_policy
        notes += [
            f"cluster {name!r} is served by the echo upstream "
            f"(--cluster {name}=HOST:PORT[,h2] sends it elsewhere)"
            for name in deployment.clusters
            if name not in overrides
        ]
        planned = [overrides.get(name) or ClusterSpec(name, 0) for name in deployment.clusters]
    elif resolved is None:
        listener = native_listener(LISTENER, source, port=port, config=config, root_id=root_id)
    else:
        root_ids = (resolved.module.build_info() or {}).get("root_ids") or []
        if root_ids and not root_id:
            # One plugin per filter of the module, one VM for all (same vm_id and code).
            plugins = [
                PluginSpec(
                    wasm_path=resolved.path,
                    config=config,
                    name=rid,
                    root_id=rid,
                    vm_id=SHARED_VM_ID,
                    failure_policy=failure_policy,
                )
                for rid in root_ids
            ]
            listener = ListenerSpec(LISTENER, port=port, plugins=plugins)
        else:
            listener = ListenerSpec(
                LISTENER,
                wasm_path=resolved.path,
                config=config,
                port=port,
                root_id=root_id,
                failure_policy=failure_policy,
            )
    planned += [c for n, c in overrides.items() if n not in {p.name for p in planned}]
    native_dir = build_native_module() if native else None
    return ServePlan(resolved, listener, planned, upstream, notes, native_dir)


def start_upstream(plan: ServePlan) -> EchoServer | None:
    """The built-in echo upstream, started, if the plan needs it."""
    return EchoServer().start() if plan.needs_echo else None


def serve(
    plan: ServePlan,
    *,
    concurrency: int = 1,
    log_level: str = "debug",
    on_record: Callable[[LogRecord], None] | None = None,
) -> RunningEnvoy:
    """Start the echo upstream (if needed) and Envoy; return once Envoy is ready.

    The filter listens at ``envoy.url(LISTENER)``; ``envoy.stop()`` stops the echo upstream too.

    ``log_level`` is the lowest level of the filter's logs Envoy prints (to ``on_record``).
    Raises :class:`~proxy_wasm_envoy.process.EnvoyStartError` if Envoy does not start.
    """
    echo = start_upstream(plan)
    try:
        cfg = plan.bootstrap(echo.port if echo else 0)
        if plan.native_dir is not None:
            os.environ.update(native_environment(plan.native_dir))
        envoy = start_config(
            cfg,
            concurrency=concurrency,
            log_level="warn",
            component_log_level=plan.component_log_level(log_level),
            on_record=on_record,
            upstream=echo,
        )
    except BaseException:
        if echo is not None:
            echo.stop()
        raise
    return envoy
