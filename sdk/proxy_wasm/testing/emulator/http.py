"""HTTP streams driven with Envoy's pause and buffering rules."""

from __future__ import annotations

from proxy_wasm.testing.emulator.core import EmulatorCore
from proxy_wasm.testing.emulator.records import (
    Direction,
    HttpState,
)
from proxy_wasm.testing.emulator.wire import (
    CONTINUE,
    PAUSE,
    Pairs,
    lower_key,
)


class HttpStreams(EmulatorCore):
    """HTTP streams driven with Envoy's pause and buffering rules."""

    # -- HTTP streams ---------------------------------------------------------------------------

    def new_http(self, root: int) -> HttpState:
        """Create an HTTP stream context under root ``root``."""
        cid = self.new_context_id()
        state = HttpState(cid, root)
        self.http[cid] = state
        self.call("proxy_on_context_create", cid, root)
        return state

    def _headers_result(self, s: HttpState, raw: int) -> int:
        if s.stop_next:
            s.stop_next = False
            return 4
        if raw == 1 and self.allow_on_headers_stop_iteration:
            return 1
        if raw in (0, 2):
            return 0
        return 4  # StopIteration -> StopAllIterationAndWatermark, > 4 likewise

    def _body_result(self, s: HttpState, raw: int) -> int:
        if s.stop_next:
            s.stop_next = False
            return 3
        return raw if 0 <= raw <= 3 else 3

    def _trailers_result(self, s: HttpState, raw: int) -> int:
        if s.stop_next:
            s.stop_next = False
            return 1
        return 0 if raw == 0 else 1

    @staticmethod
    def _dir(s: HttpState, response: bool) -> Direction:
        return s.response if response else s.request

    def _ended(self, s: HttpState) -> bool:
        return s.local_response is not None or s.reset

    def http_headers(self, s: HttpState, headers: Pairs, eos: bool, response: bool) -> int:
        """Deliver headers in one direction (Envoy's pause rules apply); return the action."""
        d = self._dir(s, response)
        d.headers = [(lower_key(k), bytes(v)) for k, v in headers]
        d.end_of_stream = eos
        if self._ended(s):
            return PAUSE
        d.headers_open = True
        name = "proxy_on_response_headers" if response else "proxy_on_request_headers"
        result = self._headers_result(s, self.call(name, s.context_id, len(d.headers), int(eos)))
        if self._ended(s):
            s.action = PAUSE
            return PAUSE
        if result == 0:
            d.forward()
        else:
            d.stopped = "headers" if result == 1 else "headers_all"
        s.action = CONTINUE if result == 0 else PAUSE
        return s.action

    def http_body(self, s: HttpState, chunk: bytes, eos: bool, response: bool) -> int:
        """Deliver a body chunk in one direction with Envoy's buffering rules; return the action."""
        d = self._dir(s, response)
        if self._ended(s):
            return PAUSE
        if d.stopped == "headers_all":
            d.pending += chunk
            d.pending_eos = d.pending_eos or eos
            d.end_of_stream = d.end_of_stream or eos
            s.action = PAUSE
            return PAUSE
        return self._deliver_body(s, d, chunk, eos, response)

    def _deliver_body(
        self, s: HttpState, d: Direction, chunk: bytes, eos: bool, response: bool
    ) -> int:
        d.buffer += chunk
        d.end_of_stream = eos
        d.body_open = True
        name = "proxy_on_response_body" if response else "proxy_on_request_body"
        result = self._body_result(s, self.call(name, s.context_id, len(d.buffer), int(eos)))
        if self._ended(s):
            s.action = PAUSE
            return PAUSE
        if result == 0:
            d.forward()
            s.action = CONTINUE
        else:
            if result == 3:  # StopIterationNoBuffer: the host keeps nothing for the filter
                d.body_open = False
            d.stopped = d.stopped if d.stopped == "headers" else "body"
            s.action = PAUSE
        return s.action

    def http_trailers(self, s: HttpState, trailers: Pairs, response: bool) -> int:
        """Deliver trailers in one direction; return the action."""
        d = self._dir(s, response)
        lowered = [(lower_key(k), bytes(v)) for k, v in trailers]
        if self._ended(s):
            return PAUSE
        if d.stopped == "headers_all":
            d.pending_trailers = lowered
            s.action = PAUSE
            return PAUSE
        return self._deliver_trailers(s, d, lowered, response)

    def _deliver_trailers(self, s: HttpState, d: Direction, trailers: Pairs, response: bool) -> int:
        d.trailers = trailers
        d.end_of_stream = True
        d.trailers_open = True
        name = "proxy_on_response_trailers" if response else "proxy_on_request_trailers"
        result = self._trailers_result(s, self.call(name, s.context_id, len(trailers)))
        if self._ended(s):
            s.action = PAUSE
            return PAUSE
        if result == 0:
            d.forward()
            s.action = CONTINUE
        else:
            d.stopped = "trailers"
            s.action = PAUSE
        return s.action

    def _resume(self, s: HttpState, response: bool) -> None:
        d = self._dir(s, response)
        if self._ended(s) or d.stopped is None:
            return
        if d.stopped == "headers_all":
            d.forward()
            s.action = CONTINUE
            if d.pending or d.pending_eos:
                chunk = bytes(d.pending)
                d.pending.clear()
                self._deliver_body(s, d, chunk, d.pending_eos, response)
            if d.pending_trailers is not None and not self._ended(s):
                trailers, d.pending_trailers = d.pending_trailers, None
                self._deliver_trailers(s, d, trailers, response)
            return
        d.forward()
        s.action = CONTINUE

    def http_complete(self, s: HttpState) -> None:
        """End of stream: ``proxy_on_done``, ``proxy_on_log``, ``proxy_on_delete``."""
        if s.done:
            return
        self.call("proxy_on_done", s.context_id)
        s.in_log = True
        try:
            self.call("proxy_on_log", s.context_id)
        finally:
            s.in_log = False
        self.call("proxy_on_delete", s.context_id)
        s.done = True
