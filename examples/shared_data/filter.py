"""shared_data: a request counter shared by every worker, updated with compare-and-swap.

Envoy runs one Wasm VM per worker thread; shared data (a key-value store per ``vm_id``) is
what they have in common. Each request increments the counter ``example_shared_data.requests``:
read value and CAS, write value + 1 with that CAS, and when another worker wrote in between
(``CasMismatch``) read again and retry. The request gets its number in ``x-request-number``
(seen by the upstream) and the response in ``x-request-number`` too.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, BaseContext, CasMismatch, HttpContext

KEY = "example_shared_data.requests"
MAX_ATTEMPTS = 16
# An absent key accepts any CAS, a present one only its own. Writing a new key with a CAS that
# no entry has (hosts count CAS values up from 1) fails if another worker created it meanwhile.
CREATE_CAS = 0xFFFFFFFF


def increment(context: BaseContext, key: str = KEY) -> tuple[int, int]:
    """Add one to the counter at ``key``; return ``(new value, retries needed)``."""
    for attempt in range(MAX_ATTEMPTS):
        raw, cas = context.get_shared_data(key)
        value = int(raw) + 1 if raw else 1
        try:
            context.set_shared_data(key, str(value), CREATE_CAS if cas is None else cas)
        except CasMismatch:
            proxy_wasm.log.info(f"{key}: another worker updated it first, retrying")
            continue
        return value, attempt
    raise RuntimeError(f"{key}: still contended after {MAX_ATTEMPTS} attempts")


class CountingFilter(HttpContext):
    """Numbers each request with the shared counter."""

    def __init__(self) -> None:
        super().__init__()
        self.number = 0

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.number, retries = increment(self)
        self.set_http_request_header("x-request-number", str(self.number))
        proxy_wasm.log.debug(f"request #{self.number} (retries: {retries})")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.set_http_response_header("x-request-number", str(self.number))
        return Action.CONTINUE


proxy_wasm.set_http_context(CountingFilter)
