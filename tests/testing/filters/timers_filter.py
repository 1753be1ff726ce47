"""Two timers and a cancelled one, all served from the root context's single tick."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import HttpContext, RootContext


class Root(RootContext):
    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.beats = 0
        self.add_timer(1.0, self.heartbeat)
        self.add_timer(2.5, lambda: proxy_wasm.log.info("once at 2.5 s"), repeat=False)
        doomed = self.add_timer(0.25, lambda: proxy_wasm.log.info("never"))
        self.cancel_timer(doomed)
        return True

    def heartbeat(self) -> None:
        self.beats += 1
        proxy_wasm.log.info(f"heartbeat {self.beats}")
        if self.beats == 2:
            raise RuntimeError("a failing timer callback is logged; the timer goes on")


proxy_wasm.set_root_context(lambda context_id: Root())
proxy_wasm.set_http_context(HttpContext)
