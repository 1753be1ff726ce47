"""dispatch_call_on_tick: the root context sends an HTTP call on every tick and logs the answer.

No HTTP context is involved: the plugin's root context starts a one-second timer in
``on_configure``, calls cluster ``httpbin`` from ``on_tick`` and receives the responses in its
own ``on_http_call_response``. Requests through the listener pass untouched.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import RootContext

CLUSTER = "httpbin"
TICK_SECONDS = 1.0


class DispatchOnTick(RootContext):
    """Calls ``GET /tick/N`` on cluster ``httpbin`` every tick."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0
        self.calls: dict[int, int] = {}  # token -> tick number

    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.set_tick_period(TICK_SECONDS)
        return True

    def on_tick(self) -> None:
        self.ticks += 1
        headers = [
            (":method", "GET"),
            (":path", f"/tick/{self.ticks}"),
            (":authority", CLUSTER),
            ("x-tick", str(self.ticks)),
        ]
        token = self.dispatch_http_call(CLUSTER, headers, timeout=2.0)
        self.calls[token] = self.ticks
        proxy_wasm.log.info(f"tick {self.ticks}: dispatched call {token}")

    def on_http_call_response(
        self, token: int, num_headers: int, body_size: int, num_trailers: int
    ) -> None:
        tick = self.calls.pop(token, 0)
        if num_headers == 0:
            proxy_wasm.log.warn(f"tick {tick}: call {token} failed")
            return
        status = self.get_http_call_response_header(":status")
        proxy_wasm.log.info(f"tick {tick}: response {status}, {body_size} bytes")


proxy_wasm.set_root_context(DispatchOnTick)
