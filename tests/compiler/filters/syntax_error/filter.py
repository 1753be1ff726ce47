import proxy_wasm


class Filter(proxy_wasm.HttpContext):
    def on_http_request_headers(self, num_headers, end_of_stream)
        return proxy_wasm.Action.CONTINUE
