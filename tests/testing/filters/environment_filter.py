"""Logs an environment variable the proxy sets for the VM (Envoy environment_variables)."""

from __future__ import annotations

import os

import proxy_wasm
from proxy_wasm import HttpContext, RootContext


class Root(RootContext):
    def on_configure(self, plugin_configuration_size: int) -> bool:
        proxy_wasm.log.info(f"greeting is {os.environ.get('GREETING', '(unset)')}")
        return True


proxy_wasm.set_root_context(lambda context_id: Root())
proxy_wasm.set_http_context(HttpContext)
