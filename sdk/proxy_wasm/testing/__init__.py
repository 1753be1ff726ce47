"""Test filters without Envoy: an emulated Proxy-Wasm host with two runtimes.

* ``null``: the filter is imported into the test's own CPython; the SDK is bound to the emulator
  (``breakpoint()``, pdb and coverage work inside callbacks).
* ``wasm``: the compiled module runs in wasmtime; its ``env.proxy_*`` imports are served by the
  same emulator.

Start with :class:`Host`; the pytest plugin (``proxy_wasm.testing.pytest_plugin``) runs one test
in both runtimes, and :func:`proxy_wasm.testing.suite.run_suite` runs declarative YAML suites.
"""

from proxy_wasm.testing.builder import Builder, WasmUnavailable, set_builder
from proxy_wasm.testing.emulator import Emulator, LocalResponse, SharedState
from proxy_wasm.testing.host import (
    GrpcCall,
    Host,
    HttpCallout,
    HttpStream,
    QueueView,
    TcpConnection,
)

__all__ = [
    "Builder",
    "Emulator",
    "GrpcCall",
    "Host",
    "HttpCallout",
    "HttpStream",
    "LocalResponse",
    "QueueView",
    "SharedState",
    "TcpConnection",
    "WasmUnavailable",
    "set_builder",
]
