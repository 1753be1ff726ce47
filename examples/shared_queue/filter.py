"""shared_queue (sender): put a line about every request on a shared queue.

The queue belongs to another plugin, ``receiver.py``, in the same listener and the same
``vm_id``: it registers the queue and drains it in ``on_queue_ready``. This filter finds the
queue by name with ``resolve_shared_queue(vm_id, name)`` (once found, the id is kept) and
enqueues ``"<method> <path>"`` for each request. Until the receiver has registered the queue,
requests are let through and counted as dropped.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext, RootContext, properties

QUEUE = "example_shared_queue.requests"


class SenderRoot(RootContext):
    """Finds the receiver's queue and creates one :class:`Sender` per request."""

    def __init__(self) -> None:
        super().__init__()
        self.queue_id: int | None = None
        self.dropped = 0

    def queue(self) -> int | None:
        """The queue's id, looked up (in this plugin's own vm_id) until it exists."""
        if self.queue_id is None:
            vm_id = properties.plugin_vm_id() or ""
            self.queue_id = self.resolve_shared_queue(vm_id, QUEUE)
        return self.queue_id

    def create_http_context(self, context_id: int) -> HttpContext:
        return Sender(self)


class Sender(HttpContext):
    """Enqueues one line per request."""

    def __init__(self, root: SenderRoot) -> None:
        super().__init__()
        self.root = root

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        method = self.get_http_request_header(":method") or "-"
        path = self.get_http_request_header(":path") or "-"
        queue_id = self.root.queue()
        if queue_id is None:
            self.root.dropped += 1
            proxy_wasm.log.warn(f"queue {QUEUE} is not registered: dropped {method} {path}")
            return Action.CONTINUE
        self.enqueue_shared_queue(queue_id, f"{method} {path}")
        proxy_wasm.log.debug(f"enqueued {method} {path} on queue {queue_id}")
        return Action.CONTINUE


proxy_wasm.set_root_context(lambda context_id: SenderRoot())
