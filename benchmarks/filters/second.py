"""A second filter for bench_memory.py: shares reference.py's module (and interpreter)."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext


class SecondFilter(HttpContext):
    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.add_http_response_header("x-second", "1")
        return Action.CONTINUE


proxy_wasm.set_http_context(SecondFilter)
