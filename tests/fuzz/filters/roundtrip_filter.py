"""Copies every text value it reads back through the str setters (tests the text decoding).

Headers and trailers: ``x-copy`` is set from ``x-user`` (str getter, then str setter); the whole
map is read as str pairs and written back. Properties: ``fuzz.value`` is read with
``properties.get_string`` and written to ``fuzz.copy``. Bodies: the body read is appended to
itself, chunk by chunk (bodies are bytes; this checks the getter on arbitrary bytes).
"""

import proxy_wasm
from proxy_wasm import Action, HttpContext, properties


def _copy(get_one, set_one, get_all, set_all) -> None:  # type: ignore[no-untyped-def]
    value = get_one("x-user")
    if value is not None:
        set_one("x-copy", value)
    set_all(get_all())


class RoundTrip(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        _copy(
            self.get_http_request_header,
            self.set_http_request_header,
            self.get_http_request_headers,
            self.set_http_request_headers,
        )
        view = self.request_headers.get("x-user")
        if view is not None:
            self.request_headers["x-view"] = view
        prop = properties.get_string(["fuzz", "value"])
        if prop is not None:
            self.set_property(["fuzz", "copy"], prop)
        return Action.CONTINUE

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        body = self.get_http_request_body() or b""
        self.set_http_request_body(0, body_size, body + body)
        return Action.CONTINUE

    def on_http_request_trailers(self, num_trailers: int) -> Action:
        _copy(
            self.get_http_request_trailer,
            self.set_http_request_trailer,
            self.get_http_request_trailers,
            self.set_http_request_trailers,
        )
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        _copy(
            self.get_http_response_header,
            self.set_http_response_header,
            self.get_http_response_headers,
            self.set_http_response_headers,
        )
        return Action.CONTINUE

    def on_http_response_trailers(self, num_trailers: int) -> Action:
        _copy(
            self.get_http_response_trailer,
            self.set_http_response_trailer,
            self.get_http_response_trailers,
            self.set_http_response_trailers,
        )
        return Action.CONTINUE


proxy_wasm.set_http_context(RoundTrip)
