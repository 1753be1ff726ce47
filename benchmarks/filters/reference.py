"""The benchmark's reference filter (issue 7), written with the Python SDK.

Request: read ``x-user``; ``blocked`` gets a local 403 ``denied``; anyone else gets request
header ``x-filter: 1``. Response: add ``x-powered-by: filter``. Every request increments the
counter ``bench_requests`` (``wasmcustom.bench_requests`` in Envoy's /stats).
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

REQUESTS = proxy_wasm.Counter("bench_requests")


class ReferenceFilter(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        REQUESTS.increment()
        if self.get_http_request_header("x-user") == "blocked":
            self.send_http_response(403, body="denied")
            return Action.PAUSE
        self.add_http_request_header("x-filter", "1")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.add_http_response_header("x-powered-by", "filter")
        return Action.CONTINUE


proxy_wasm.set_http_context(ReferenceFilter)
