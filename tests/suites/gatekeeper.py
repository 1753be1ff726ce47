"""A filter exercised by the same declarative suite in null, wasm and Envoy."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

REQUESTS = proxy_wasm.Counter("gatekeeper_requests")
DENIED = proxy_wasm.Counter("gatekeeper_denied")


class Gatekeeper(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        REQUESTS.increment()
        user = self.get_http_request_header("x-user")
        if user == "blocked":
            DENIED.increment()
            proxy_wasm.log.warn(f"denied {user}")
            self.send_http_response(403, [("x-denied-by", "gatekeeper")], b"denied")
            return Action.PAUSE
        self.set_http_request_header("x-filter", "1")
        self.remove_http_request_header("x-secret")
        proxy_wasm.log.info(f"allowed {user}")
        return Action.CONTINUE

    def on_log(self) -> None:
        proxy_wasm.log.info(f"done {self.get_http_request_header('x-user')}")

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.set_http_response_header("x-powered-by", "gatekeeper")
        self.remove_http_response_header("server-secret")
        return Action.CONTINUE


proxy_wasm.set_http_context(Gatekeeper)
