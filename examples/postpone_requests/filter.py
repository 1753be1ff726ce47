"""postpone_requests: hold every request until the next tick of the root context's timer.

Each HTTP context PAUSEs its request and hands itself to the root context. On every tick the
root resumes all requests it holds: ``set_effective_context()`` makes a paused stream the one
host calls act on, then the filter stamps the request with ``x-resumed-on-tick`` and resumes it.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, BadArgument, HttpContext, RootContext

TICK_SECONDS = 1.0


class PostponeRoot(RootContext):
    """Keeps the postponed requests and resumes them on each tick."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.postponed: list[PostponedRequest] = []

    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.set_tick_period(TICK_SECONDS)
        return True

    def create_http_context(self, context_id: int) -> HttpContext:
        return PostponedRequest(self)

    def on_tick(self) -> None:
        self.ticks += 1
        held, self.postponed = self.postponed, []
        for request in held:
            try:
                request.set_effective_context()
            except BadArgument:
                continue  # the stream is gone
            request.set_http_request_header("x-resumed-on-tick", str(self.ticks))
            request.resume_http_request()
            proxy_wasm.log.info(f"tick {self.ticks}: resumed #{request.context_id}")


class PostponedRequest(HttpContext):
    """Pauses its request until the root's next tick."""

    def __init__(self, root: PostponeRoot) -> None:
        super().__init__()
        self.root = root

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.root.postponed.append(self)
        proxy_wasm.log.info(f"#{self.context_id} postponed")
        return Action.PAUSE

    def on_log(self) -> None:
        if self in self.root.postponed:  # the client went away before the tick
            self.root.postponed.remove(self)


proxy_wasm.set_root_context(PostponeRoot)
