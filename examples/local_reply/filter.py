"""local_reply: answer some paths from the filter itself, with custom headers and body.

``send_http_response`` sends a local reply: the request never reaches the upstream. ``/ping``
gets a plain-text ``200 pong``, ``/teapot`` a JSON ``418``; other paths go upstream.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

REPLIES: dict[str, tuple[int, str, str]] = {
    "/ping": (200, "text/plain", "pong\n"),
    "/teapot": (418, "application/json", '{"error": "I\'m a teapot"}\n'),
}


class LocalReply(HttpContext):
    """Replies to the paths in ``REPLIES`` without contacting the upstream."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        path = (self.get_http_request_header(":path") or "/").split("?", 1)[0]
        reply = REPLIES.get(path)
        if reply is None:
            return Action.CONTINUE
        status, content_type, body = reply
        self.send_http_response(
            status,
            [
                ("content-type", content_type),
                ("cache-control", "no-store"),
                ("x-local-reply", "proxy-wasm-python"),
            ],
            body,
        )
        proxy_wasm.log.info("local reply %d for %s", status, path)
        return Action.PAUSE


proxy_wasm.set_http_context(LocalReply)
