"""Fixtures for the examples' tests: one Envoy serving every example, one listener each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from examples._support.servers import SERVERS, Server
from examples._support.spec import all_examples
from proxy_wasm_compiler.build import BuildOptions, build_filter
from proxy_wasm_envoy import ClusterSpec, RunningEnvoy, start_envoy


def _build(source: Path, out_dir: Path) -> Path:
    target = out_dir / f"{source.parent.name}-{source.stem}.wasm"
    return build_filter(source, target, options=BuildOptions(reuse=True)).path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The shared Envoy runs Wasm: a native-only example's Envoy test runs in tests/native."""
    native_only = {spec.path for spec in all_examples() if spec.native_only}
    skip = pytest.mark.skip(reason="native-only example (C extension): runs in tests/native")
    for item in items:
        if (
            "examples_envoy" in getattr(item, "fixturenames", ())
            and item.path.parent in native_only
        ):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def examples_envoy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEnvoy]:
    """ONE Envoy 1.40 on 127.0.0.1 with a listener per example (named after its folder)."""
    out_dir = tmp_path_factory.mktemp("examples-wasm")
    specs = [spec for spec in all_examples() if not spec.native_only]
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
        listeners = [spec.listener(spec.name, lambda src: _build(src, out_dir)) for spec in specs]
        envoy = start_envoy(listeners, clusters, ready_timeout=600.0)
        try:
            yield envoy
        finally:
            envoy.stop()
    finally:
        for server in servers.values():
            server.stop()
