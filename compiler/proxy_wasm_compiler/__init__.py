"""proxy-wasm-python compiler: builds Python filters into Proxy-Wasm modules."""

from proxy_wasm import __version__  # the distribution's one version source

__all__ = ["__version__"]
