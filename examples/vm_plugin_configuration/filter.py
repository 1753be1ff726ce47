"""vm_plugin_configuration: read and log the VM configuration and the plugin configuration.

The VM configuration (``vm_config.configuration`` in Envoy) is readable in ``on_vm_start``; the
plugin configuration (``configuration`` of the plugin) in ``on_configure``. Both are raw bytes:
this example logs them as text, whatever their format.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import RootContext


class ConfigLogger(RootContext):
    """Logs both configurations."""

    def on_vm_start(self, vm_configuration_size: int) -> bool:
        data = self.get_vm_configuration()
        text = data.decode("utf-8", "replace") if data else "(none)"
        proxy_wasm.log.info("vm configuration (%d bytes): %s", vm_configuration_size, text)
        return True

    def on_configure(self, plugin_configuration_size: int) -> bool:
        data = self.get_plugin_configuration()
        text = data.decode("utf-8", "replace") if data else "(none)"
        proxy_wasm.log.info("plugin configuration (%d bytes): %s", plugin_configuration_size, text)
        return True


proxy_wasm.set_root_context(ConfigLogger)
