"""Uses stdlib modules that need care in the module graph: hashlib (dynamic imports of its C
hash modules) and logging (which imports threading at module level)."""

from __future__ import annotations

import hashlib
import logging

import proxy_wasm
from proxy_wasm import Action, HttpContext

log = logging.getLogger("stdlib-filter")


class Digest(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        user = self.get_http_request_header("x-user") or ""
        digest = hashlib.sha256(user.encode()).hexdigest()[:16]
        self.set_http_request_header("x-user-digest", digest)
        log.warning("digest for %s is %s", user, digest)
        return Action.CONTINUE


proxy_wasm.log.install_logging_handler()
proxy_wasm.set_http_context(Digest)
