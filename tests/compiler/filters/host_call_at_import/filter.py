import proxy_wasm

REQUESTS = proxy_wasm.Counter("requests")
REQUESTS.increment()  # a host call while the module is imported at build time
proxy_wasm.set_http_context(proxy_wasm.HttpContext)
