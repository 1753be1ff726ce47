"""Hub test filter: adds ``x-hub: pulled`` to every request (pushed to and pulled from a
registry by tests/hub)."""

from proxy_wasm import Action, HttpContext, RootContext, set_root_context


class HubRoot(RootContext):
    def create_http_context(self, context_id: int) -> HttpContext:
        return HubHttp()


class HubHttp(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        self.add_http_request_header("x-hub", "pulled")
        return Action.CONTINUE


set_root_context(HubRoot)
