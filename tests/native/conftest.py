"""Fixtures for the native runtime: Envoy 1.40 loading the CPython dynamic module.

One filter per Envoy process (the SDK's dispatcher is process-global), so each example gets its
own Envoy; a start takes about a quarter of a second.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from examples._support.servers import SERVERS, Server
from proxy_wasm_envoy import ClusterSpec, ListenerSpec, RunningEnvoy, start_envoy
from proxy_wasm_envoy.deployment import load_deployment
from proxy_wasm_envoy.native import deployment_listener, use_native_module

COMPONENT_LOGS = "wasm:debug,dynamic_modules:debug"


@pytest.fixture(scope="session")
def native_module() -> Path:
    """The built (cached) dynamic module; Envoy processes started from here find it."""
    return use_native_module()


@contextmanager
def native_envoy(
    listeners: list[ListenerSpec], clusters: list[ClusterSpec] | None = None, **kwargs: object
) -> Iterator[RunningEnvoy]:
    """One Envoy running ``listeners`` (native filters) with the echo upstream."""
    kwargs.setdefault("component_log_level", COMPONENT_LOGS)
    envoy = start_envoy(listeners, clusters or [], **kwargs)  # type: ignore[arg-type]
    try:
        yield envoy
    finally:
        envoy.stop()


@contextmanager
def example_envoy(folder: Path, **kwargs: object) -> Iterator[RunningEnvoy]:
    """One Envoy serving example ``folder`` natively on a listener named after it."""
    deployment = load_deployment(folder)
    servers: dict[str, Server] = {}
    clusters: list[ClusterSpec] = []
    try:
        for cluster, kind in deployment.clusters.items():
            factory, http2 = SERVERS[kind]
            if kind not in servers:
                servers[kind] = factory()
            clusters.append(ClusterSpec(cluster, servers[kind].port, http2=http2))
        with native_envoy([deployment_listener(deployment, folder.name)], clusters, **kwargs) as e:
            yield e
    finally:
        for server in servers.values():
            server.stop()


@pytest.fixture
def start_example(native_module: Path) -> Callable[..., object]:
    """``start_example(folder)``: a context manager starting that example natively."""
    return example_envoy
