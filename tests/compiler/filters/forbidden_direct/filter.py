import proxy_wasm
import socket

proxy_wasm.set_http_context(proxy_wasm.HttpContext)
