"""A filter exercising headers, local replies, callouts, body buffering, ticks and metrics."""

from __future__ import annotations

import json

from helper import greeting  # type: ignore[import-not-found]  # beside it, on sys.path

import proxy_wasm
from proxy_wasm import Action, Counter, HttpContext, RootContext


class Root(RootContext):
    def __init__(self) -> None:
        super().__init__()
        self.config: dict[str, str] = {}
        self.ticks = 0

    def on_configure(self, plugin_configuration_size: int) -> bool:
        raw = self.get_plugin_configuration() or b"{}"
        self.config = json.loads(raw)
        proxy_wasm.log.info(f"configured: {sorted(self.config)}")
        self.set_tick_period(1.0)
        return True

    def on_tick(self) -> None:
        self.ticks += 1
        Counter("ticks").increment(1)

    def create_http_context(self, context_id: int) -> HttpContext:
        return Filter(self)


class Filter(HttpContext):
    def __init__(self, root: Root) -> None:
        super().__init__()
        self.root = root

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        path = self.get_http_request_header(":path") or ""
        self.set_http_request_header("x-greeting", greeting(self.root.config.get("name", "x")))
        if path == "/deny":
            self.send_http_response(403, [("x-reason", "denied")], "no")
            return Action.PAUSE
        if path == "/raise":
            raise ValueError("boom")
        if path == "/call":
            self.dispatch_http_call(
                "auth",
                [(":method", "GET"), (":path", "/check"), (":authority", "auth")],
                timeout=1.0,
            )
            return Action.PAUSE
        return Action.CONTINUE

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        body = self.get_http_call_response_body(0, body_size) or b""
        if body == b"ok":
            self.set_http_request_header("x-auth", "ok")
            self.resume_http_request()
        else:
            self.send_http_response(401, [], "unauthorized")

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        if not end_of_stream:
            return Action.PAUSE
        body = self.get_http_request_body(0, body_size) or b""
        self.set_http_request_body(0, body_size, body.upper())
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        try:
            self.get_http_request_header(":path")
        except proxy_wasm.BadArgument:
            self.add_http_response_header("x-req-headers", "unavailable")
        return Action.CONTINUE


proxy_wasm.set_root_context(Root)
