import proxy_wasm
import rpds

proxy_wasm.set_http_context(proxy_wasm.HttpContext)
