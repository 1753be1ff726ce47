"""An in-memory Proxy-Wasm host with Envoy's semantics, at the ABI level.

Every host function is a method named exactly like the ``env.proxy_*`` import it serves, taking
Python values and returning the raw status code (``int``) or ``(status, result)``. Both runtimes
share these methods: the null runtime through ``proxy_wasm.testing.null_binding.NullHost`` (which
maps statuses to values and exceptions as ``_hostabi`` says), the wasm runtime through thin adapters
that read and write the module's linear memory (``proxy_wasm.testing.wasm_runtime``).

The emulator also drives the filter: it calls the module's callbacks through a :class:`Guest`
(the SDK dispatcher in the null runtime, the module's exports in the wasm runtime) and follows
Envoy (cpp-host + ``source/extensions/common/wasm/context.cc``) where it matters:

* a header map is available only in its own callback, and while the stream is stopped there;
  elsewhere map calls give ``BAD_ARGUMENT`` (request headers in the response phase, say); in
  ``proxy_on_log`` request/response headers and response trailers are readable;
* ``PAUSE`` from a headers callback is ``StopAllIterationAndWatermark`` unless
  ``allow_on_headers_stop_iteration``: body chunks are held by the host and the filter's body
  callback does not run until the stream is resumed;
* ``PAUSE`` from a body callback is ``StopIterationAndBuffer``: the next call sees the whole
  buffered body (``body_size`` is cumulative);
* ``proxy_send_local_response``, ``proxy_continue_stream`` and ``proxy_close_stream`` take effect
  after the current VM call returns (Envoy's ``addAfterVmCallAction``), and a local response forces
  the current callback's result to a stop;
* timers, queue deliveries, callout and gRPC callbacks go to the root context.
"""

from __future__ import annotations

from proxy_wasm.testing.emulator.hostcalls_services import ServiceHostCalls
from proxy_wasm.testing.emulator.hostcalls_stream import StreamHostCalls
from proxy_wasm.testing.emulator.lifecycle import Lifecycle
from proxy_wasm.testing.emulator.records import *  # noqa: F403 - the public records
from proxy_wasm.testing.emulator.tcp import TcpConnections
from proxy_wasm.testing.emulator.wire import *  # noqa: F403 - the public wire values


class Emulator(StreamHostCalls, ServiceHostCalls, Lifecycle, TcpConnections):
    """The emulated host: state, host functions (raw statuses) and callback driving."""
