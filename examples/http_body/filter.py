"""http_body: rewrite a buffered request body (replace a word) before it reaches the upstream.

Shows the whole-body pattern: ``on_http_request_headers`` returns CONTINUE, the body callback
returns PAUSE until ``end_of_stream`` (the host buffers the chunks), then the filter reads the
whole body once and replaces it. A rewrite may change the body's length, and Envoy forwards the
request headers before the body arrives, so the filter drops ``content-length`` up front for
bodies it will look at (the request then goes upstream chunked).
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

OLD = b"hello"
NEW = b"goodbye"


class BodyRewrite(HttpContext):
    """Replaces every ``hello`` in a text request body with ``goodbye``."""

    def __init__(self) -> None:
        super().__init__()
        self.rewrite = False

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        content_type = self.get_http_request_header("content-type") or ""
        self.rewrite = not end_of_stream and content_type.startswith("text/")
        if self.rewrite:
            self.remove_http_request_header("content-length")
        return Action.CONTINUE

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        if not self.rewrite:
            return Action.CONTINUE
        if not end_of_stream:
            return Action.PAUSE  # keep buffering: the word may straddle two chunks
        body = self.get_http_request_body() or b""
        count = body.count(OLD)
        if count:
            new_body = body.replace(OLD, NEW)
            self.set_http_request_body(0, len(body), new_body)
            proxy_wasm.log.info(
                "replaced %d x %r: %d -> %d bytes", count, OLD.decode(), len(body), len(new_body)
            )
        return Action.CONTINUE


proxy_wasm.set_http_context(BodyRewrite)
