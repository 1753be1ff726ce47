"""hello_world: log when the VM starts, then on every tick of a timer.

Mirrors the Rust and Go SDKs' hello world: a root context that says hello from
``on_vm_start``, starts a timer with ``set_tick_period`` in ``on_configure`` and logs the host's
clock from ``on_tick``. HTTP traffic passes through untouched (no HTTP context is registered).
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import RootContext

TICK_SECONDS = 2.0


class HelloRoot(RootContext):
    """Logs on VM start, plugin start and every tick."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    def on_vm_start(self, vm_configuration_size: int) -> bool:
        proxy_wasm.log.info("Hello, World! (from Python)")
        return True

    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.set_tick_period(TICK_SECONDS)
        proxy_wasm.log.info("ticking every %s seconds", TICK_SECONDS)
        return True

    def on_tick(self) -> None:
        self.ticks += 1
        now = self.get_current_time()
        proxy_wasm.log.info("tick %d: it is %d seconds since the epoch", self.ticks, int(now))


proxy_wasm.set_root_context(HelloRoot)
