"""The soak test's filter: greets ``x-user`` (str getter, any bytes), and misbehaves on demand.

``/raise``: a ValueError (the exception policy's 500); ``/deep``: runaway recursion (a
RecursionError, a 500); ``/trap``: ``os.abort()``, a wasm trap that kills the VM (the failure
policy decides what happens next).
"""

import os

import proxy_wasm
from proxy_wasm import Action, HttpContext


def deep(n: int) -> int:
    return 1 + max(map(deep, (n + 1,)))


class Soak(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        path = self.get_http_request_header(":path") or ""
        if path.startswith("/trap"):
            os.abort()
        if path.startswith("/raise"):
            raise ValueError("raised on purpose")
        if path.startswith("/deep"):
            deep(0)
        user = self.get_http_request_header("x-user")
        self.set_http_request_header("x-greeting", f"hello {user or 'stranger'}")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.set_http_response_header("x-soak", "1")
        return Action.CONTINUE


proxy_wasm.set_http_context(Soak)
