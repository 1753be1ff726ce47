import proxy_wasm

import helper

proxy_wasm.set_http_context(helper.Filter)
