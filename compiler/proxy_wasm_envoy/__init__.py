"""Run real Envoy with Proxy-Wasm filters: bootstrap generation, process control, upstream, logs.

The library API the tests and ``proxy-wasm run`` use::

    from proxy_wasm_envoy import ListenerSpec, ClusterSpec, start_envoy

    with start_envoy([ListenerSpec("h", wasm_path="f.wasm", config={"k": "v"}),
                      ListenerSpec("t", wasm_path="tcp.wasm", kind="tcp")]) as envoy:
        envoy.url("h"), envoy.admin_url, envoy.stats(), envoy.wasm_logs(), envoy.start_seconds

``proxy-wasm run`` as a library: ``serve(plan_serve("filter.py", port=0))`` (see
:mod:`proxy_wasm_envoy.serve`).
"""

from proxy_wasm_envoy.config import (
    UPSTREAM_CLUSTER,
    ClusterSpec,
    ListenerSpec,
    PluginSpec,
    RemoteCode,
    bootstrap,
    dump_yaml,
    remote_plugin,
    sha256_file,
    write_config,
)
from proxy_wasm_envoy.logs import LogRecord, WasmLog
from proxy_wasm_envoy.process import (
    EnvoyCrashed,
    EnvoyHarness,
    EnvoyRefused,
    EnvoyStartError,
    RunningEnvoy,
    find_envoy,
    start_config,
    start_envoy,
    validate_config,
)
from proxy_wasm_envoy.serve import ServePlan, plan_serve, serve
from proxy_wasm_envoy.upstream import EchoServer, StaticServer

__all__ = [
    "UPSTREAM_CLUSTER",
    "ClusterSpec",
    "EchoServer",
    "EnvoyCrashed",
    "EnvoyHarness",
    "EnvoyRefused",
    "EnvoyStartError",
    "ListenerSpec",
    "LogRecord",
    "PluginSpec",
    "RemoteCode",
    "RunningEnvoy",
    "ServePlan",
    "StaticServer",
    "WasmLog",
    "bootstrap",
    "dump_yaml",
    "find_envoy",
    "plan_serve",
    "remote_plugin",
    "serve",
    "sha256_file",
    "start_config",
    "start_envoy",
    "validate_config",
    "write_config",
]
