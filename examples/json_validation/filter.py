"""json_validation: reject request bodies that do not match a small schema, with a 400.

The body of a ``POST``/``PUT``/``PATCH`` must be ``application/json`` and an object with an
integer ``id``, a non-empty string ``name`` and optionally ``tags``, a list of strings. The
schema is checked by hand with :mod:`json` (no schema library). The filter buffers the whole
body (PAUSE until ``end_of_stream``) before deciding.
"""

from __future__ import annotations

import json

import proxy_wasm
from proxy_wasm import Action, HttpContext

METHODS = frozenset({"POST", "PUT", "PATCH"})


def validate(body: bytes) -> str | None:
    """Return what is wrong with ``body``, or ``None`` when it is valid."""
    try:
        doc = json.loads(body)
    except ValueError as exc:  # JSONDecodeError and bad UTF-8
        return f"invalid JSON: {exc}"
    if not isinstance(doc, dict):
        return "the body must be a JSON object"
    unknown = sorted(set(doc) - {"id", "name", "tags"})
    if unknown:
        return f"unknown field {unknown[0]!r}"
    item_id = doc.get("id")
    if isinstance(item_id, bool) or not isinstance(item_id, int):
        return "'id' must be an integer"
    name = doc.get("name")
    if not isinstance(name, str) or not name:
        return "'name' must be a non-empty string"
    tags = doc.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        return "'tags' must be a list of strings"
    return None


class JsonValidator(HttpContext):
    """Buffers JSON bodies and rejects the invalid ones."""

    def __init__(self) -> None:
        super().__init__()
        self.check = False

    def reject(self, message: str) -> Action:
        proxy_wasm.log.info("rejected: %s", message)
        body = json.dumps({"error": message}) + "\n"
        self.send_http_response(400, [("content-type", "application/json")], body)
        return Action.PAUSE

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        if self.get_http_request_header(":method") not in METHODS:
            return Action.CONTINUE
        content_type = self.get_http_request_header("content-type") or ""
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            return self.reject("content-type must be application/json")
        if end_of_stream:
            return self.reject("a JSON body is required")
        self.check = True
        return Action.CONTINUE

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        if not self.check:
            return Action.CONTINUE
        if not end_of_stream:
            return Action.PAUSE  # buffer until the whole body is here
        problem = validate(self.get_http_request_body() or b"")
        if problem is not None:
            return self.reject(problem)
        return Action.CONTINUE


proxy_wasm.set_http_context(JsonValidator)
