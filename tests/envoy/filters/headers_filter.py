"""Envoy test filter: request/response header mutation and a 403 local reply."""

from proxy_wasm import Action, HttpContext, set_http_context


class Headers(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        if self.get_http_request_header("x-user") == "blocked":
            self.send_http_response(403, [("x-denied-by", "python")], b"denied\n")
            return Action.PAUSE
        self.set_http_request_header("x-python-filter", "request")
        self.remove_http_request_header("x-remove-me")
        return Action.CONTINUE

    def on_http_response_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.set_http_response_header("x-powered-by", "proxy-wasm-python")
        return Action.CONTINUE


set_http_context(lambda context_id, root_context_id: Headers())
