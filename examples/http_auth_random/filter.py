"""http_auth_random: authorize each request through an HTTP callout to an auth service.

On the request headers the filter calls cluster ``httpbin`` (``GET /auth``) with the client's
headers and PAUSEs the request. When the auth service answers 200 the request resumes (with the
service's ``x-auth-user``, if any, added for the upstream); any other answer, or a failed call,
gets a local ``403 Access forbidden.``. The Rust and Go SDKs' version asks httpbin for random
bytes; here the auth service's answer decides, so the outcome is reproducible.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

AUTH_CLUSTER = "httpbin"
# Headers the auth service does not need (they describe the client's body or connection).
_NOT_FORWARDED = frozenset({"content-length", "transfer-encoding", "connection", "expect"})


class HttpAuthRandom(HttpContext):
    """Pauses each request until the auth service has answered."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        path = self.get_http_request_header(":path") or "/"
        headers = [
            (":method", "GET"),
            (":path", "/auth"),
            (":authority", AUTH_CLUSTER),
            ("x-original-path", path),
        ]
        headers += [
            (name, value)
            for name, value in self.get_http_request_headers()
            if not name.startswith(":") and name not in _NOT_FORWARDED
        ]
        token = self.dispatch_http_call(AUTH_CLUSTER, headers, timeout=5.0)
        proxy_wasm.log.info(f"#{self.context_id} auth call {token} dispatched for {path}")
        return Action.PAUSE

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        if num_headers == 0:
            proxy_wasm.log.warn(f"#{self.context_id} auth call {token} failed: access forbidden")
            self._forbid()
            return
        status = self.get_http_call_response_header(":status")
        if status != "200":
            proxy_wasm.log.info(f"#{self.context_id} auth service said {status}: access forbidden")
            self._forbid()
            return
        user = self.get_http_call_response_header("x-auth-user")
        if user is not None:
            self.set_http_request_header("x-auth-user", user)
        proxy_wasm.log.info(f"#{self.context_id} access granted")
        self.resume_http_request()

    def _forbid(self) -> None:
        self.send_http_response(403, [("powered-by", "proxy-wasm-python")], "Access forbidden.\n")


proxy_wasm.set_http_context(HttpAuthRandom)
