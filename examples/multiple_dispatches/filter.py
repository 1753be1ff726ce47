"""multiple_dispatches: one request fans out several HTTP calls and waits for all of them.

On the request headers the filter sends ``CALLS`` calls to cluster ``httpbin`` at once and
PAUSEs the request. Each answer (or failure) is recorded; when the last one arrives, the
request resumes with an ``x-dispatch-results`` header listing the outcome of every call in
dispatch order.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext

CLUSTER = "httpbin"
CALLS = 3


class MultipleDispatches(HttpContext):
    """Fans out ``CALLS`` callouts per request; resumes once all have answered."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, int] = {}  # token -> call index
        self.results: list[str] = []

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.results = ["pending"] * CALLS
        for index in range(CALLS):
            headers = [(":method", "GET"), (":path", f"/part/{index + 1}"), (":authority", CLUSTER)]
            token = self.dispatch_http_call(CLUSTER, headers, timeout=5.0)
            self.pending[token] = index
        proxy_wasm.log.info(f"#{self.context_id} dispatched {CALLS} calls")
        return Action.PAUSE

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        index = self.pending.pop(token)
        if num_headers == 0:
            self.results[index] = "failed"
        else:
            self.results[index] = self.get_http_call_response_header(":status") or "?"
        proxy_wasm.log.info(
            f"#{self.context_id} call {index + 1} answered "
            f"{self.results[index]}, {len(self.pending)} pending"
        )
        if self.pending:
            return
        self.set_http_request_header("x-dispatch-results", ",".join(self.results))
        proxy_wasm.log.info(f"#{self.context_id} all {CALLS} calls answered, resuming")
        self.resume_http_request()


proxy_wasm.set_http_context(MultipleDispatches)
