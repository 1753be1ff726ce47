"""A filter whose request-headers callback raises, for traceback tests."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext


def check(path: str) -> None:
    if path == "/boom":
        raise ValueError(f"cannot handle {path}")


class Raising(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        check(self.get_http_request_header(":path") or "/")
        return Action.CONTINUE


proxy_wasm.set_http_context(Raising)
