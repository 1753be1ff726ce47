"""Fixtures for the examples' tests: one Envoy serving every example, one listener each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from examples._support.servers import SERVERS, Server
from examples._support.spec import ExampleSpec, all_examples
from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_compiler.envoy import (
    ClusterSpec,
    ListenerSpec,
    PluginSpec,
    RunningEnvoy,
    start_envoy,
)


def _build(source: Path, out_dir: Path) -> Path:
    target = out_dir / f"{source.parent.name}-{source.stem}.wasm"
    return build_filter(source, target, options=BuildOptions(reuse=True)).path


def _listener(spec: ExampleSpec, out_dir: Path) -> ListenerSpec:
    plugins = [PluginSpec(wasm_path=_build(p.filter, out_dir), root_id=p.root_id,
                          vm_id=p.vm_id, config=p.config, name=f"{spec.name}-{p.filter.stem}")
               for p in spec.plugins]
    plugins.append(PluginSpec(wasm_path=_build(spec.filter, out_dir), root_id=spec.root_id,
                              vm_id=spec.vm_id, config=spec.config, vm_config=spec.vm_config,
                              name=spec.name,
                              allow_on_headers_stop_iteration=(
                                  spec.allow_on_headers_stop_iteration or None)))
    kind = "tcp" if spec.kind == "tcp" else "http"
    return ListenerSpec(name=spec.name, kind=kind, plugins=plugins,
                        tcp_proxy_options=dict(spec.tcp_proxy),
                        extra_http_filters=list(spec.http_filters))


@pytest.fixture(scope="session")
def examples_envoy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEnvoy]:
    """ONE Envoy 1.40 on 127.0.0.1 with a listener per example (named after its folder)."""
    out_dir = tmp_path_factory.mktemp("examples-wasm")
    specs = all_examples()
    servers: dict[str, Server] = {}
    clusters: list[ClusterSpec] = []
    try:
        for spec in specs:
            for cluster, kind in spec.clusters.items():
                if cluster in {c.name for c in clusters}:
                    continue
                factory, http2 = SERVERS[kind]
                if kind not in servers:
                    servers[kind] = factory()
                clusters.append(ClusterSpec(cluster, servers[kind].port, http2=http2))
        listeners = [_listener(spec, out_dir) for spec in specs]
        envoy = start_envoy(listeners, clusters, ready_timeout=600.0)
        try:
            yield envoy
        finally:
            envoy.stop()
    finally:
        for server in servers.values():
            server.stop()
