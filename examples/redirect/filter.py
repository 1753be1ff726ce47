"""redirect: answer ``/old/...`` with a ``302`` whose ``location`` is ``/new/...``.

The query string is kept. The reply is a local response: the upstream never sees the request.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

OLD_PREFIX = "/old/"
NEW_PREFIX = "/new/"


class Redirect(HttpContext):
    """Redirects the old prefix to the new one."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        path = self.get_http_request_header(":path") or "/"
        if not path.startswith(OLD_PREFIX):
            return Action.CONTINUE
        location = NEW_PREFIX + path[len(OLD_PREFIX) :]
        self.send_http_response(
            302,
            [("location", location), ("content-type", "text/plain")],
            f"moved to {location}\n",
        )
        proxy_wasm.log.info("redirect %s -> %s", path, location)
        return Action.PAUSE


proxy_wasm.set_http_context(Redirect)
