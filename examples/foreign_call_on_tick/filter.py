"""foreign_call_on_tick: call a host foreign function from the root context's timer.

Envoy registers foreign functions that filters call by name with
``call_foreign_function(name, arguments)``. On every tick this filter calls ``compress`` (zlib)
on a message naming the tick, then ``uncompress`` on the result, and logs both sizes and
whether the round trip gave the message back.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import RootContext

TICK_SECONDS = 1.0


class ForeignCallOnTick(RootContext):
    """Compresses and uncompresses a message through Envoy's foreign functions every tick."""

    def __init__(self) -> None:
        super().__init__()
        self.ticks = 0

    def on_configure(self, plugin_configuration_size: int) -> bool:
        self.set_tick_period(TICK_SECONDS)
        return True

    def on_tick(self) -> None:
        self.ticks += 1
        message = f"tick {self.ticks}: hello from proxy-wasm-python! ".encode() * 4
        compressed = self.call_foreign_function("compress", message)
        restored = self.call_foreign_function("uncompress", compressed)
        proxy_wasm.log.info(
            f"tick {self.ticks}: compress {len(message)} -> {len(compressed)} bytes "
            f"({compressed[:4].hex()}...), uncompress "
            f"{'gives the message back' if restored == message else 'DIFFERS'}"
        )


proxy_wasm.set_root_context(ForeignCallOnTick)
