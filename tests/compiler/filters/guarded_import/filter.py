import proxy_wasm

try:
    import socket  # not available in a proxy: the filter copes without it
except ImportError:
    socket = None

proxy_wasm.set_http_context(proxy_wasm.HttpContext)
