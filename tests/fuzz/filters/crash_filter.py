"""Crashes the VM (a wasm trap) on ``/trap``; raises on ``/raise``; otherwise counts requests.

``x-served`` on every passed request is how many requests this VM has seen: after a crash and
FAIL_RELOAD, a new VM starts again from 1.
"""

import os

import proxy_wasm
from proxy_wasm import Action, HttpContext

served = 0


class Crash(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        global served
        path = self.get_http_request_header(":path") or ""
        if path.startswith("/trap"):
            os.abort()  # in a module: the wasm `unreachable` instruction, the VM is gone
        if path.startswith("/raise"):
            raise ValueError(f"raised on {path}")
        served += 1
        self.set_http_request_header("x-served", str(served))
        return Action.CONTINUE


proxy_wasm.set_http_context(Crash)
