"""properties: read Envoy attributes (properties) and pass some of them to the upstream.

On the request headers the filter reads, with :mod:`proxy_wasm.properties`, the downstream
peer (``source.address``), the local address, the request path and method, the plugin's name
and root id, the connection id and the cluster the route chose (``xds.cluster_name``), logs
them, and adds ``x-source-address``, ``x-plugin-name``, ``x-request-path`` and
``x-upstream-cluster`` to the request. An absent property reads as ``None``.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext
from proxy_wasm import properties as props


class PropertiesFilter(HttpContext):
    """Logs well-known properties and copies some into request headers."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        seen = {
            "source.address": props.source_address(),
            "destination.address": props.destination_address(),
            "request.path": props.request_path(),
            "request.method": props.request_method(),
            "plugin_name": props.plugin_name(),
            "plugin_root_id": props.plugin_root_id(),
            "xds.cluster_name": props.cluster_name(),
        }
        connection = props.connection_id()
        for name, value in seen.items():
            proxy_wasm.log.info(f"#{self.context_id} {name} = {value!r}")
        proxy_wasm.log.info(f"#{self.context_id} connection.id = {connection!r}")
        for header, name in (
            ("x-source-address", "source.address"),
            ("x-plugin-name", "plugin_name"),
            ("x-request-path", "request.path"),
            ("x-upstream-cluster", "xds.cluster_name"),
        ):
            value = seen[name]
            if value is not None:
                self.set_http_request_header(header, value)
        return Action.CONTINUE


proxy_wasm.set_http_context(PropertiesFilter)
