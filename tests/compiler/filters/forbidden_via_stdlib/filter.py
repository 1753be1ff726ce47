import http.client

import proxy_wasm

proxy_wasm.set_http_context(proxy_wasm.HttpContext)
