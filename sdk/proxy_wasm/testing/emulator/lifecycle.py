"""Plugin lifecycle and the events delivered to root contexts: ticks, time, callout answers."""

from __future__ import annotations

from proxy_wasm.testing.emulator.core import EmulatorCore
from proxy_wasm.testing.emulator.records import (
    CalloutScope,
    RootState,
)
from proxy_wasm.testing.emulator.wire import (
    INTERNAL_FAILURE,
    Pairs,
    lower_key,
)


class Lifecycle(EmulatorCore):
    """Plugin lifecycle and the events delivered to root contexts: ticks, time, callout answers."""

    # -- plugin lifecycle ------------------------------------------------------------------------

    def create_root(self) -> int:
        """Create a root context (``proxy_on_context_create`` with parent 0); return its id."""
        cid = self.new_context_id()
        self.roots[cid] = RootState(cid)
        self.call("proxy_on_context_create", cid, 0)
        return cid

    def vm_start(self, root: int) -> bool:
        """Call ``proxy_on_vm_start`` on root context ``root``; return its result."""
        return bool(self.call("proxy_on_vm_start", root, len(self.vm_config)))

    def configure(self, root: int) -> bool:
        """Call ``proxy_on_configure`` on root context ``root``; return its result."""
        return bool(self.call("proxy_on_configure", root, len(self.plugin_config)))

    def finish_root(self, root: int) -> bool:
        """``proxy_on_done`` then, if it returned true, ``proxy_on_delete`` (cpp-host shutdown)."""
        state = self.roots[root]
        if self.call("proxy_on_done", root):
            state.done = True
            self.call("proxy_on_delete", root)
            return True
        self.pending_done.add(root)
        return False

    def tick(self, root: int) -> None:
        """Call ``proxy_on_tick`` on root context ``root``."""
        self.call("proxy_on_tick", root)

    def advance_time(self, ns: int) -> None:
        """Move the clock, firing due ticks and callout timeouts in time order."""
        end = self.now_ns + ns
        while True:
            due: list[tuple[int, int, str]] = []
            for r in self.roots.values():
                if r.tick_period_ms and not r.done and r.next_tick_ns <= end:
                    due.append((r.next_tick_ns, r.context_id, "tick"))
            for c in self.callouts.values():
                if not c.answered and c.timeout_ms and c.deadline_ns <= end:
                    due.append((c.deadline_ns, c.token, "callout"))
            if not due:
                break
            at, ident, kind = min(due)
            self.now_ns = max(self.now_ns, at)
            if kind == "tick":
                r = self.roots[ident]
                r.next_tick_ns = self.now_ns + r.tick_period_ms * 1_000_000
                self.tick(ident)
            else:
                self.fail_http_call(ident)
        self.now_ns = end

    # -- callouts answered by the test ------------------------------------------------------------

    def answer_http_call(self, token: int, headers: Pairs, body: bytes, trailers: Pairs) -> None:
        """Deliver the response of HTTP callout ``token`` (``proxy_on_http_call_response``)."""
        c = self.callouts[token]
        if c.answered:
            raise RuntimeError(f"HTTP callout {token} was already answered")
        c.answered = True
        hs = [(lower_key(k), bytes(v)) for k, v in headers]
        ts = [(lower_key(k), bytes(v)) for k, v in trailers]
        self._callout = CalloutScope(hs, bytes(body), ts)
        self.last_status = (0, b"")
        try:
            self.call("proxy_on_http_call_response", c.root_id, token, len(hs), len(body), len(ts))
        finally:
            self._callout = CalloutScope()

    def fail_http_call(self, token: int) -> None:
        """The callout failed or timed out: Envoy reports zero headers."""
        c = self.callouts[token]
        c.answered = True
        self._callout = CalloutScope([], b"", [])
        self.last_status = (INTERNAL_FAILURE, b"")
        try:
            self.call("proxy_on_http_call_response", c.root_id, token, 0, 0, 0)
        finally:
            self._callout = CalloutScope()

    def grpc_initial_metadata(self, token: int, metadata: Pairs) -> None:
        """Deliver initial metadata for gRPC call ``token``."""
        g = self.grpc_calls[token]
        md = [(lower_key(k), bytes(v)) for k, v in metadata]
        self._grpc_scope = (md, None, None)
        try:
            self.call("proxy_on_grpc_receive_initial_metadata", g.root_id, token, len(md))
        finally:
            self._grpc_scope = (None, None, None)

    def grpc_message(self, token: int, message: bytes) -> None:
        """Deliver one message for gRPC call ``token`` (``proxy_on_grpc_receive``)."""
        g = self.grpc_calls[token]
        self._grpc_scope = (None, bytes(message), None)
        try:
            self.call("proxy_on_grpc_receive", g.root_id, token, len(message))
        finally:
            self._grpc_scope = (None, None, None)

    def grpc_trailing_metadata(self, token: int, metadata: Pairs) -> None:
        """Deliver trailing metadata for gRPC call ``token``."""
        g = self.grpc_calls[token]
        md = [(lower_key(k), bytes(v)) for k, v in metadata]
        self._grpc_scope = (None, None, md)
        try:
            self.call("proxy_on_grpc_receive_trailing_metadata", g.root_id, token, len(md))
        finally:
            self._grpc_scope = (None, None, None)

    def grpc_close_remote(self, token: int, status: int, message: bytes) -> None:
        """The server closed gRPC call ``token`` with ``status`` (``proxy_on_grpc_close``)."""
        g = self.grpc_calls[token]
        g.finished = True
        self.last_status = (status, bytes(message))
        self.call("proxy_on_grpc_close", g.root_id, token, status)

    def foreign_function_callback(self, root: int, function_id: int, args: bytes) -> None:
        """Call ``proxy_on_foreign_function`` with ``args`` in the arguments buffer."""
        self._ff_args = bytes(args)
        try:
            self.call("proxy_on_foreign_function", root, function_id, len(args))
        finally:
            self._ff_args = None
