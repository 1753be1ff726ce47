"""orjson_canonical: canonical JSON request bodies with ``orjson``, a C extension from PyPI.

No Wasm build can carry a C extension, so this filter runs natively only
(``proxy-wasm run examples/orjson_canonical --native``) and in the null runtime. A JSON body of
a ``POST``/``PUT``/``PATCH`` is parsed by ``orjson`` and forwarded re-serialized with sorted
keys and no whitespace (the filter logs the number of top-level keys). A body ``orjson`` cannot
parse gets a ``400`` with orjson's error message.
"""

from __future__ import annotations

import orjson

import proxy_wasm
from proxy_wasm import Action, HttpContext

METHODS = frozenset({"POST", "PUT", "PATCH"})


def canonical(body: bytes) -> tuple[bytes, int]:
    """``(canonical bytes, number of top-level keys)``; raises ``orjson.JSONDecodeError``."""
    value = orjson.loads(body)
    keys = len(value) if isinstance(value, dict) else 0
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS), keys


class CanonicalJson(HttpContext):
    """Buffers a JSON body, then forwards its canonical form."""

    def __init__(self) -> None:
        super().__init__()
        self.checking = False

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        method = self.get_http_request_header(":method")
        content_type = self.get_http_request_header("content-type") or ""
        self.checking = method in METHODS and content_type.startswith("application/json")
        if self.checking and not end_of_stream:
            self.remove_http_request_header("content-length")  # the body changes size
        return Action.CONTINUE

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        if not self.checking:
            return Action.CONTINUE
        if not end_of_stream:
            return Action.PAUSE  # buffer until the whole body is here
        body = self.get_http_request_body() or b""
        try:
            text, keys = canonical(body)
        except orjson.JSONDecodeError as exc:
            proxy_wasm.log.info(f"rejected: {exc}")
            error = orjson.dumps({"error": str(exc)})
            self.send_http_response(400, [("content-type", "application/json")], error)
            return Action.PAUSE
        self.set_http_request_body(0, body_size, text)
        proxy_wasm.log.info(f"canonical body, {keys} top-level keys")
        return Action.CONTINUE


proxy_wasm.set_http_context(CanonicalJson)
