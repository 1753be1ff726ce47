"""shared_queue (receiver): register a shared queue and log what arrives on it.

The other plugin of this example (``filter.py``) enqueues a line per request. Envoy calls
``on_queue_ready`` on the root context that registered the queue whenever something is
enqueued; the receiver drains the queue there. Requests pass through it untouched.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import HttpContext, RootContext

QUEUE = "example_shared_queue.requests"


class ReceiverRoot(RootContext):
    """Owns the queue and logs every item."""

    def __init__(self) -> None:
        super().__init__()
        self.queue_id = 0
        self.received = 0

    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.queue_id = self.register_shared_queue(QUEUE)
        proxy_wasm.log.info(f"registered queue {QUEUE} (id {self.queue_id})")
        return True

    def on_queue_ready(self, queue_id: int) -> None:
        while (item := self.dequeue_shared_queue(queue_id)) is not None:
            self.received += 1
            proxy_wasm.log.info(f"dequeued #{self.received}: {item.decode(errors='replace')}")


proxy_wasm.set_root_context(lambda context_id: ReceiverRoot())
# No HTTP callbacks: requests pass through this plugin untouched.
proxy_wasm.set_http_context(lambda context_id, root_context_id: HttpContext())
