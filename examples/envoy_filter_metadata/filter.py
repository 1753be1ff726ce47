"""envoy_filter_metadata: read the dynamic metadata another Envoy filter set for the request.

An ``envoy.filters.http.set_metadata`` filter placed before this one stores a struct under the
namespace ``example.tenant`` (``tenant``, ``tier``, ``quota``). This filter reads the fields
through the ``metadata`` property (``metadata.filter_metadata.<namespace>.<field>``: strings come
as UTF-8, numbers as 8-byte doubles), logs them and passes them upstream as ``x-tenant``,
``x-tenant-tier`` and ``x-tenant-quota``. Without the metadata the request goes on untouched.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext
from proxy_wasm import properties as props

NAMESPACE = "example.tenant"


def _field(name: str) -> tuple[str, ...]:
    return ("metadata", "filter_metadata", NAMESPACE, name)


class FilterMetadata(HttpContext):
    """Copies the ``example.tenant`` dynamic metadata into request headers."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        tenant = props.get_string(_field("tenant"))
        if tenant is None:
            proxy_wasm.log.warn(f"#{self.context_id} no {NAMESPACE} metadata")
            return Action.CONTINUE
        tier = props.get_string(_field("tier")) or "standard"
        quota = props.get_float(_field("quota"))
        self.set_http_request_header("x-tenant", tenant)
        self.set_http_request_header("x-tenant-tier", tier)
        if quota is not None:
            self.set_http_request_header("x-tenant-quota", str(int(quota)))
        proxy_wasm.log.info(f"#{self.context_id} tenant {tenant} (tier {tier}, quota {quota})")
        return Action.CONTINUE


proxy_wasm.set_http_context(FilterMetadata)
