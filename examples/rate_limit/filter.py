"""rate_limit: a token bucket per client in shared data, safe across workers.

Each client (the value of the ``x-client-id`` request header, or else its IP address) gets a
bucket of ``requests`` tokens that refills continuously, ``requests`` per ``period`` seconds,
measured with the host clock (``get_current_time``). A request takes one token; with none left
it gets a local ``429`` reply with ``retry-after`` (seconds until a token is back). Allowed
responses carry ``x-ratelimit-remaining``.

The bucket lives in shared data (``tokens,updated_at``), so every worker's VM draws from the
same bucket; updates use compare-and-swap and retry on ``CasMismatch``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import proxy_wasm
from proxy_wasm import Action, BaseContext, CasMismatch, HttpContext, RootContext, properties

MAX_ATTEMPTS = 16
CREATE_CAS = 0xFFFFFFFF  # a CAS no entry has: creating a key fails if another worker just did


@dataclass
class Config:
    """The plugin configuration (JSON)."""

    requests: int = 10
    """Bucket size: requests allowed in a burst, and refilled per ``period``."""
    period: float = 60.0
    """Seconds to refill a whole bucket."""
    client_header: str = "x-client-id"
    """Request header naming the client (absent: the client's IP address)."""


def take_token(context: BaseContext, key: str, config: Config) -> tuple[bool, float]:
    """Take a token from bucket ``key``: ``(allowed, tokens left or seconds to wait)``."""
    rate = config.requests / config.period  # tokens per second
    for _attempt in range(MAX_ATTEMPTS):
        raw, cas = context.get_shared_data(key)
        now = context.get_current_time()
        tokens, updated_at = float(config.requests), now
        if raw:
            stored_tokens, _, stored_at = raw.decode().partition(",")
            tokens, updated_at = float(stored_tokens), float(stored_at)
        tokens = min(float(config.requests), tokens + max(0.0, now - updated_at) * rate)
        if tokens < 1.0:
            return False, (1.0 - tokens) / rate  # nothing to write: the bucket is unchanged
        try:
            context.set_shared_data(
                key, f"{tokens - 1.0:.6f},{now:.6f}", CREATE_CAS if cas is None else cas
            )
        except CasMismatch:
            proxy_wasm.log.debug(f"{key}: updated by another worker, retrying")
            continue
        return True, tokens - 1.0
    raise RuntimeError(f"{key}: still contended after {MAX_ATTEMPTS} attempts")


class RateLimitRoot(RootContext):
    """Loads the configuration; one :class:`RateLimiter` per request."""

    def __init__(self) -> None:
        super().__init__()
        self.config = Config()

    def on_configure(self, plugin_configuration_size: int) -> bool:
        config = proxy_wasm.load_config(Config, self.get_plugin_configuration())
        if config.requests < 1 or config.period <= 0:
            proxy_wasm.log.error("rate_limit: requests must be >= 1 and period > 0")
            return False
        self.config = config
        proxy_wasm.log.info(f"rate limit: {config.requests} requests per {config.period:g} s")
        return True

    def create_http_context(self, context_id: int) -> HttpContext:
        return RateLimiter(self.config)


class RateLimiter(HttpContext):
    """Admits or rejects one request."""

    def __init__(self, config: Config) -> None:
        super().__init__()
        self.config = config
        self.remaining: int | None = None

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        client = self.get_http_request_header(self.config.client_header)
        if not client:
            address = properties.source_address() or "unknown"
            client = address.rpartition(":")[0] or address
        allowed, value = take_token(self, f"example_rate_limit.{client}", self.config)
        if allowed:
            self.remaining = math.floor(value)
            return Action.CONTINUE
        retry_after = max(1, math.ceil(value))
        proxy_wasm.log.info(f"client {client} rate limited, retry after {retry_after} s")
        self.send_http_response(
            429,
            [("retry-after", str(retry_after)), ("x-ratelimit-limit", str(self.config.requests))],
            b"rate limit exceeded\n",
        )
        return Action.PAUSE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        if self.remaining is not None:
            self.set_http_response_header("x-ratelimit-remaining", str(self.remaining))
        return Action.CONTINUE


proxy_wasm.set_root_context(lambda context_id: RateLimitRoot())
