"""network: a TCP filter that counts the bytes of a connection and logs them on close.

Runs as an Envoy network filter in front of ``tcp_proxy``. Every chunk of data from the client
(downstream) and from the server (upstream) is counted and passed on unchanged; when the
connection ends, one log line reports both totals. The totals also go to two counters,
``example_network.downstream_bytes`` and ``example_network.upstream_bytes``.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, Counter, PeerType, StreamContext, properties

DOWNSTREAM_BYTES = Counter("downstream_bytes", prefix="example_network.")
UPSTREAM_BYTES = Counter("upstream_bytes", prefix="example_network.")


class ByteCounter(StreamContext):
    """Counts the bytes flowing each way through one TCP connection."""

    def __init__(self) -> None:
        super().__init__()
        self.downstream_bytes = 0
        self.upstream_bytes = 0
        self.peer = "unknown"

    def on_new_connection(self) -> Action:
        self.peer = properties.source_address() or "unknown"
        proxy_wasm.log.info(f"#{self.context_id} new connection from {self.peer}")
        return Action.CONTINUE

    def on_downstream_data(self, data_size: int, end_of_stream: bool) -> Action:
        # With CONTINUE, Envoy forwards the buffer: data_size is only the new bytes.
        self.downstream_bytes += data_size
        DOWNSTREAM_BYTES.increment(data_size)
        proxy_wasm.log.debug(f"#{self.context_id} downstream +{data_size} bytes")
        return Action.CONTINUE

    def on_upstream_data(self, data_size: int, end_of_stream: bool) -> Action:
        self.upstream_bytes += data_size
        UPSTREAM_BYTES.increment(data_size)
        proxy_wasm.log.debug(f"#{self.context_id} upstream +{data_size} bytes")
        return Action.CONTINUE

    def on_downstream_close(self, peer_type: PeerType) -> None:
        proxy_wasm.log.debug(f"#{self.context_id} downstream closed ({peer_type.name.lower()})")

    def on_upstream_close(self, peer_type: PeerType) -> None:
        proxy_wasm.log.debug(f"#{self.context_id} upstream closed ({peer_type.name.lower()})")

    def on_log(self) -> None:
        proxy_wasm.log.info(
            f"#{self.context_id} connection from {self.peer} closed: "
            f"{self.downstream_bytes} bytes from downstream, "
            f"{self.upstream_bytes} bytes from upstream"
        )


proxy_wasm.set_stream_context(ByteCounter)
