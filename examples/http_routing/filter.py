"""http_routing: pick the upstream cluster by header, then make Envoy recompute the route.

Envoy chooses a route (and so a cluster) from the request headers before the filters run. The
filter maps the client's ``x-user-group`` to ``x-route-to: canary`` or ``x-route-to: stable``,
a header the route table matches on, and calls ``clear_http_route_cache()`` (Envoy's
``clear_route_cache`` foreign function) so the router picks the route again with the new header.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

ROUTE_HEADER = "x-route-to"
CANARY_GROUPS = frozenset({"beta", "internal"})


class Router(HttpContext):
    """Sets ``x-route-to`` from ``x-user-group`` and clears the route cache."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        group = (self.get_http_request_header("x-user-group") or "").strip().lower()
        target = "canary" if group in CANARY_GROUPS else "stable"
        # Overwrite any client-sent value: only the filter decides the route.
        self.set_http_request_header(ROUTE_HEADER, target)
        self.clear_http_route_cache()
        proxy_wasm.log.info("group %r -> %s (route cache cleared)", group or "-", target)
        return Action.CONTINUE


proxy_wasm.set_http_context(Router)
