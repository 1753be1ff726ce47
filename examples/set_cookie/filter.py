"""set_cookie: give a client without a session cookie one, keeping the upstream's cookies.

``set-cookie`` is the header that must not be folded into one comma-separated value: each
cookie is its own header line. ``add_http_response_header`` adds a line and keeps the
upstream's ``set-cookie`` lines; ``set_http_response_header`` would have replaced them all.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

COOKIE = "session"
ATTRIBUTES = "Path=/; HttpOnly; SameSite=Lax; Max-Age=3600"


def has_cookie(cookie_header: str, name: str) -> bool:
    """True if the ``cookie`` request header holds a cookie called ``name``."""
    return any(part.strip().split("=", 1)[0] == name for part in cookie_header.split(";"))


class SessionCookie(HttpContext):
    """Adds ``set-cookie: session=...`` when the request had no session cookie."""

    def __init__(self) -> None:
        super().__init__()
        self.session: str | None = None

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        cookies = "; ".join(v for k, v in self.get_http_request_headers() if k == "cookie")
        if not has_cookie(cookies, COOKIE):
            # Envoy sets x-request-id on every request: a unique value to use as the id.
            request_id = self.get_http_request_header("x-request-id")
            self.session = (request_id or str(self.get_current_time_nanoseconds())).replace("-", "")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        if self.session is not None:
            self.add_http_response_header("set-cookie", f"{COOKIE}={self.session}; {ATTRIBUTES}")
            proxy_wasm.log.info("new session %s", self.session)
        return Action.CONTINUE


proxy_wasm.set_http_context(SessionCookie)
