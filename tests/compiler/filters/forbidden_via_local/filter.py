import helper
import proxy_wasm

proxy_wasm.set_http_context(helper.Filter)
