"""metrics: a counter, a gauge and a histogram, with tags, as Envoy stats.

* ``example_metrics.method.<METHOD>.requests`` (counter): requests per HTTP method; the method
  is a tag, folded into the stat name as Envoy's C++ SDK does;
* ``example_metrics.in_flight`` (gauge): requests that started and are not done yet;
* ``example_metrics.request_header_bytes`` (histogram): the size of each request's headers.

Envoy shows them in its admin ``/stats`` as ``wasmcustom.<name>``. The filter also reads the
counter and the gauge back (``get()``) and reports them in response headers, so a client sees
them too.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, Counter, Gauge, Histogram, HttpContext

PREFIX = "example_metrics."
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"}
)

IN_FLIGHT = Gauge("in_flight", prefix=PREFIX)
HEADER_BYTES = Histogram("request_header_bytes", prefix=PREFIX)
_requests: dict[str, Counter] = {}


def requests_for(method: str) -> Counter:
    """The request counter tagged with ``method`` (one stat per known method, then OTHER)."""
    tag = method if method in KNOWN_METHODS else "OTHER"
    counter = _requests.get(tag)
    if counter is None:
        counter = Counter("requests", tags={"method": tag}, prefix=PREFIX)
        _requests[tag] = counter
    return counter


class MetricsFilter(HttpContext):
    """Counts the request, tracks it as in flight until done, records its header size."""

    def __init__(self) -> None:
        super().__init__()
        self.counter: Counter | None = None
        self.in_flight_at_start = 0

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        headers = self.get_http_request_headers_bytes()
        method = self.get_http_request_header(":method") or "OTHER"
        self.counter = requests_for(method)
        self.counter.increment()
        IN_FLIGHT.increment()
        self.in_flight_at_start = IN_FLIGHT.get()
        size = sum(len(name) + len(value) for name, value in headers)
        HEADER_BYTES.record(size)
        proxy_wasm.log.debug(f"{self.counter.name} +1, {size} header bytes")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        if self.counter is not None:
            self.set_http_response_header("x-requests-for-method", str(self.counter.get()))
            self.set_http_response_header("x-in-flight", str(self.in_flight_at_start))
        return Action.CONTINUE

    def on_done(self) -> bool:
        if self.counter is not None:
            IN_FLIGHT.decrement()
            self.counter = None
        return True


proxy_wasm.set_http_context(MetricsFilter)
