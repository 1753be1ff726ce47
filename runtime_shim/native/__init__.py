"""The native runtime: the SDK inside Envoy through a dynamic module that embeds CPython.

``pw_native.c`` is the dynamic module (built by ``proxy_wasm_envoy.native``); inside Envoy it
imports :mod:`proxy_wasm_shim.native.runtime`, which binds :class:`~.binding.EnvoyHost` (contract 1)
and drives the SDK dispatcher (contract 2) from Envoy's event hooks.
"""
