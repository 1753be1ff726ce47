"""Reads and extends the response trailers of a gRPC call passing through Envoy."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext


class Trailers(HttpContext):
    def on_http_response_trailers(self, num_trailers: int) -> Action:
        status = self.get_http_response_trailer("grpc-status")
        proxy_wasm.log.info(f"response trailers: {num_trailers}, grpc-status {status}")
        self.add_http_response_trailer("x-filter-saw-status", status or "none")
        return Action.CONTINUE


proxy_wasm.set_http_context(Trailers)
