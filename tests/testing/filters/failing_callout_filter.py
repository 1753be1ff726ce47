"""Pauses each request on an HTTP callout whose response handler raises."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, ExceptionPolicy, HttpContext


class Failing(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        if self.get_http_request_header("x-policy") == "continue":
            proxy_wasm.set_exception_policy(ExceptionPolicy.CONTINUE)
        self.dispatch_http_call(
            "auth", [(":method", "GET"), (":path", "/check"), (":authority", "auth")], b"", [], 1.0
        )
        return Action.PAUSE

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        raise RuntimeError("auth answer not understood")


proxy_wasm.set_http_context(Failing)
