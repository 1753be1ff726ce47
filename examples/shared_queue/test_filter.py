"""shared_queue: a sender plugin and a receiver plugin sharing a queue (null, wasm, Envoy)."""

from __future__ import annotations

import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from proxy_wasm import Action
from proxy_wasm.testing import Host

HERE = Path(__file__).parent
SENDER = HERE / "filter.py"
RECEIVER = HERE / "receiver.py"
VM_ID = "example_shared_queue"
QUEUE = "example_shared_queue.requests"


def _request(host: Host, method: str, path: str) -> None:
    stream = host.http_stream()
    headers = {":method": method, ":path": path, ":authority": "example"}
    assert stream.send_request_headers(headers, end_of_stream=True) == Action.CONTINUE
    stream.complete()


def test_receiver_registers_the_queue_and_drains_it_when_ready(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    receiver = proxy_wasm_host(RECEIVER, vm_id=VM_ID, root_id="receiver")
    assert receiver.start()
    queue = receiver.queue(QUEUE)
    assert f"registered queue {QUEUE} (id {queue.id})" in receiver.info_logs
    queue.enqueue("GET /a")  # as another VM would: on_queue_ready reaches the receiver
    queue.enqueue("POST /b")
    assert receiver.info_logs[-2:] == ["dequeued #1: GET /a", "dequeued #2: POST /b"]
    assert len(queue) == 0


@pytest.mark.wasm  # the receiver is always the compiled module
def test_sender_enqueues_each_request_for_the_receiver(
    proxy_wasm_host: Callable[..., Host],
) -> None:
    # The receiver is the compiled module (two filters cannot share one null runtime); the
    # sender runs in the runtime under test; both see one SharedState, as in one Envoy.
    receiver = Host(RECEIVER, runtime="wasm", vm_id=VM_ID, root_id="receiver")
    assert receiver.start()
    sender = proxy_wasm_host(SENDER, vm_id=VM_ID, root_id="sender", shared=receiver)
    assert sender.start()
    _request(sender, "GET", "/hello")
    _request(sender, "DELETE", "/item/7")
    assert receiver.info_logs[-2:] == ["dequeued #1: GET /hello", "dequeued #2: DELETE /item/7"]
    queue_id = receiver.queue(QUEUE).id
    assert f"enqueued GET /hello on queue {queue_id}" in sender.debug_logs


def test_sender_drops_requests_until_the_queue_exists(proxy_wasm_host: Callable[..., Host]) -> None:
    sender = proxy_wasm_host(SENDER, vm_id=VM_ID)
    assert sender.start()
    _request(sender, "GET", "/early")  # nobody registered the queue yet: the request passes
    assert sender.warn_logs == [f"queue {QUEUE} is not registered: dropped GET /early"]
    sender.emulator.register_queue(QUEUE, sender.root_context_id)  # now it exists
    queue = sender.queue(QUEUE)
    queue.queue.owner = None  # nobody drains it: the test reads it
    _request(sender, "GET", "/late")
    assert queue.items == [b"GET /late"]


@pytest.mark.envoy
def test_envoy_receiver_plugin_logs_what_the_sender_enqueued(examples_envoy: Any) -> None:
    path = f"/queued/{uuid.uuid4().hex[:8]}"
    start = len(examples_envoy.records())
    with urllib.request.urlopen(examples_envoy.url("shared_queue") + path, timeout=10) as resp:
        assert resp.status == 200
    record = examples_envoy.wait_for_log(
        lambda r: f": GET {path}" in r.message and "dequeued" in r.message, timeout=10, start=start
    )
    assert record is not None, [str(e) for e in examples_envoy.wasm_logs()][-10:]
    entry = record.wasm()
    assert entry is not None and entry.plugin == "receiver"  # Envoy names the root id
