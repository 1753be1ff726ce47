import json

import proxy_wasm
from helpers.tagging import TAG


class Filter(proxy_wasm.HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> proxy_wasm.Action:
        self.set_http_request_header("x-tag", TAG + json.dumps({"n": num_headers}))
        return proxy_wasm.Action.CONTINUE


proxy_wasm.set_http_context(Filter)
