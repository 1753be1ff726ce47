"""tcp_routing: choose the upstream cluster of a TCP connection by its source or first bytes.

A network filter in front of Envoy's ``tcp_proxy``. It picks a cluster for each connection:

* by the client's IP address (``by_source``), decided as soon as the connection opens;
* otherwise by the first bytes the client sends (``by_prefix``): the filter holds the
  connection (``PAUSE`` from ``on_new_connection``, so ``tcp_proxy`` does not connect yet)
  until the bytes decide, then lets it go on;
* otherwise the listener's own cluster.

The choice reaches ``tcp_proxy`` through Envoy's filter state object ``envoy.tcp_proxy.cluster``,
set with Envoy's foreign function ``set_envoy_filter_state`` (its argument is a serialized
``envoy.source.extensions.common.wasm.SetEnvoyFilterStateArguments``: ``proxy_wasm.envoy``
writes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import proxy_wasm
from proxy_wasm import Action, ProxyWasmError, RootContext, StreamContext, properties
from proxy_wasm.envoy import LifeSpan, set_filter_state

CLUSTER_KEY = "envoy.tcp_proxy.cluster"


@dataclass
class RoutingConfig:
    """The plugin configuration (JSON)."""

    by_source: dict[str, str] = field(default_factory=dict)
    """Client IP address -> cluster."""
    by_prefix: dict[str, str] = field(default_factory=dict)
    """First bytes of the connection -> cluster (the first matching prefix wins)."""


def client_ip(address: str) -> str:
    """``1.2.3.4:5678`` -> ``1.2.3.4``; ``[::1]:5678`` -> ``::1``."""
    host, sep, _port = address.rpartition(":")
    if not sep:
        return address
    return host[1:-1] if host.startswith("[") else host


class RouterRoot(RootContext):
    """Loads the routing table and hands it to each connection."""

    def __init__(self) -> None:
        super().__init__()
        self.config = RoutingConfig()

    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.config = proxy_wasm.load_config(RoutingConfig, self.get_plugin_configuration())
        proxy_wasm.log.info(
            f"tcp routing: {len(self.config.by_source)} source rule(s), "
            f"{len(self.config.by_prefix)} prefix rule(s)"
        )
        return True

    def create_stream_context(self, context_id: int) -> StreamContext:
        return Router(self.config)


class Router(StreamContext):
    """Routes one connection, then passes its bytes through untouched."""

    def __init__(self, config: RoutingConfig) -> None:
        super().__init__()
        self.config = config
        self.prefixes = [(p.encode(), c) for p, c in config.by_prefix.items()]
        self.longest = max((len(p) for p, _ in self.prefixes), default=0)
        self.decided = False

    def on_new_connection(self) -> Action:
        ip = client_ip(properties.source_address() or "")
        cluster = self.config.by_source.get(ip)
        if cluster is not None:
            self.route(cluster, f"source {ip}")
            return Action.CONTINUE
        if not self.prefixes:
            self.decided = True
            return Action.CONTINUE
        # Hold the rest of the filter chain (tcp_proxy) until the first bytes arrive.
        return Action.PAUSE

    def on_downstream_data(self, data_size: int, end_of_stream: bool) -> Action:
        if self.decided:
            return Action.CONTINUE
        head = self.get_downstream_data(0, self.longest) or b""
        for prefix, cluster in self.prefixes:
            if head.startswith(prefix):
                self.route(cluster, f"prefix {prefix.decode(errors='replace')!r}")
                return Action.CONTINUE
        if not end_of_stream and any(p.startswith(head) for p, _ in self.prefixes):
            return Action.PAUSE  # a prefix may still match: wait for more bytes
        self.decided = True
        proxy_wasm.log.info(f"#{self.context_id} no rule matched: the listener's cluster")
        return Action.CONTINUE

    def route(self, cluster: str, reason: str) -> None:
        """Tell tcp_proxy which cluster to connect this connection to."""
        self.decided = True
        try:
            set_filter_state(self, CLUSTER_KEY, cluster, LifeSpan.DOWNSTREAM_CONNECTION)
        except ProxyWasmError as exc:
            proxy_wasm.log.error(f"#{self.context_id} cannot route to {cluster}: {exc}")
            return
        proxy_wasm.log.info(f"#{self.context_id} {reason} -> cluster {cluster}")


proxy_wasm.set_root_context(lambda context_id: RouterRoot())
