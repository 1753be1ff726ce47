"""http_headers: log the request headers, add one to the request and one to the response.

Mirrors the Rust and Go SDKs' http_headers example. The header added to the request is reported
by the upstream; the one added to the response is seen by the client.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext


class HeadersFilter(HttpContext):
    """Adds ``x-python-filter`` to the request and ``x-powered-by`` to the response."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        for name, value in self.get_http_request_headers():
            proxy_wasm.log.debug("#%d request header %s: %s", self.context_id, name, value)
        path = self.get_http_request_header(":path") or "/"
        self.add_http_request_header("x-python-filter", f"saw {path}")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.set_http_response_header("x-powered-by", "proxy-wasm-python")
        return Action.CONTINUE

    def on_log(self) -> None:
        proxy_wasm.log.info("#%d completed", self.context_id)


proxy_wasm.set_http_context(HeadersFilter)
