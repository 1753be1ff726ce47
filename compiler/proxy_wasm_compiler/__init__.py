"""proxy-wasm-python compiler: builds Python filters into Proxy-Wasm modules."""

__version__ = "0.1.0"
