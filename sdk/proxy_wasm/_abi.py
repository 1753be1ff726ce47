# GENERATED from runtime_shim/abi.py by `python -m proxy_wasm_shim.generate`: do not edit.
"""The optional callbacks of ABI v0.2.1, in mask-bit order.

A callback whose bit is clear in the mask set with ``HostABI.set_callback_mask`` returns
its default (CONTINUE, or true for on_done) without entering Python. Each comes with
the context method whose override sets the bit. Callbacks not listed here (context
create, vm start, configure, delete, http call response, the gRPC callbacks) always
enter Python.
"""

from __future__ import annotations

OPTIONAL_CALLBACKS: tuple[tuple[str, str], ...] = (
    ("proxy_on_tick", "on_tick"),
    ("proxy_on_queue_ready", "on_queue_ready"),
    ("proxy_on_foreign_function", "on_foreign_function"),
    ("proxy_on_new_connection", "on_new_connection"),
    ("proxy_on_downstream_data", "on_downstream_data"),
    ("proxy_on_upstream_data", "on_upstream_data"),
    ("proxy_on_downstream_connection_close", "on_downstream_close"),
    ("proxy_on_upstream_connection_close", "on_upstream_close"),
    ("proxy_on_request_headers", "on_http_request_headers"),
    ("proxy_on_request_body", "on_http_request_body"),
    ("proxy_on_request_trailers", "on_http_request_trailers"),
    ("proxy_on_response_headers", "on_http_response_headers"),
    ("proxy_on_response_body", "on_http_response_body"),
    ("proxy_on_response_trailers", "on_http_response_trailers"),
    ("proxy_on_log", "on_log"),
    ("proxy_on_done", "on_done"),
)
CALLBACK_BITS: tuple[str, ...] = tuple(name for name, _ in OPTIONAL_CALLBACKS)
#: Callbacks whose result is a bool (a host assumes true when one is not exported).
BOOL_CALLBACKS = frozenset({"proxy_on_vm_start", "proxy_on_configure", "proxy_on_done"})


def callback_bit(name: str) -> int:
    """Return the mask bit of an optional callback export name."""
    return 1 << CALLBACK_BITS.index(name)
