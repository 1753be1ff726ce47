"""TCP connections."""

from __future__ import annotations

from proxy_wasm.testing.emulator.core import EmulatorCore
from proxy_wasm.testing.emulator.records import (
    TcpState,
)
from proxy_wasm.testing.emulator.wire import (
    CONTINUE,
    PAUSE,
)


class TcpConnections(EmulatorCore):
    """TCP connections."""

    # -- TCP connections ------------------------------------------------------------------------

    def new_tcp(self, root: int) -> TcpState:
        """Create a TCP connection context under ``root`` and call ``proxy_on_new_connection``."""
        cid = self.new_context_id()
        state = TcpState(cid, root)
        self.tcp[cid] = state
        self.call("proxy_on_context_create", cid, root)
        state.action = 0 if self.call("proxy_on_new_connection", cid) == 0 else PAUSE
        return state

    def tcp_data(self, t: TcpState, data: bytes, eos: bool, upstream: bool) -> int:
        """Deliver bytes in one direction of a TCP connection; return the action."""
        flow = t.upstream if upstream else t.downstream
        callback = "proxy_on_upstream_data" if upstream else "proxy_on_downstream_data"
        flow.buffer += data
        flow.eos = eos
        flow.open = True
        try:
            raw = self.call(callback, t.context_id, len(flow.buffer), int(eos))
        finally:
            flow.open = False
        if raw == 0:
            flow.forward()
        else:
            flow.stopped = True
        t.action = CONTINUE if raw == 0 else PAUSE
        return t.action

    def tcp_close(self, t: TcpState, upstream: bool, peer: int) -> None:
        """A peer closed the connection (upstream or downstream)."""
        name = (
            "proxy_on_upstream_connection_close"
            if upstream
            else "proxy_on_downstream_connection_close"
        )
        self.call(name, t.context_id, peer)

    def tcp_complete(self, t: TcpState) -> None:
        """End the connection: ``proxy_on_done``, ``proxy_on_log``, ``proxy_on_delete``."""
        if t.done:
            return
        self.call("proxy_on_done", t.context_id)
        self.call("proxy_on_log", t.context_id)
        self.call("proxy_on_delete", t.context_id)
        t.done = True
