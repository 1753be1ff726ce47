"""http_body_chunk: inspect a streamed request body chunk by chunk, without buffering it.

Every body callback returns CONTINUE, so each chunk goes upstream as soon as the filter has seen
it. The filter counts chunks and bytes, and rejects the request with a 403 the moment the
forbidden pattern appears, even when the pattern straddles two chunks (it keeps the last
``len(pattern) - 1`` bytes of the previous chunk).
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

FORBIDDEN = b"forbidden"


class ChunkInspector(HttpContext):
    """Counts the request body's chunks and bytes; 403 on ``forbidden``."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks = 0
        self.bytes = 0
        self.tail = b""

    def on_http_request_body(self, body_size: int, end_of_stream: bool) -> Action:
        chunk = self.get_http_request_body(0, body_size) or b""
        if chunk:
            self.chunks += 1
            self.bytes += len(chunk)
        window = self.tail + chunk
        if FORBIDDEN in window:
            proxy_wasm.log.warn(
                "chunk %d: forbidden pattern after %d bytes, rejecting", self.chunks, self.bytes
            )
            self.send_http_response(
                403,
                [("content-type", "text/plain")],
                f"request body rejected: contains {FORBIDDEN.decode()!r}\n",
            )
            return Action.PAUSE
        self.tail = window[-(len(FORBIDDEN) - 1) :]
        proxy_wasm.log.debug("chunk %d: %d bytes", self.chunks, len(chunk))
        if end_of_stream:
            proxy_wasm.log.info("request body: %d bytes in %d chunks", self.bytes, self.chunks)
        return Action.CONTINUE


proxy_wasm.set_http_context(ChunkInspector)
