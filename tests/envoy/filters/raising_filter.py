"""Envoy test filter: raises in a callback when the path contains /raise."""

from proxy_wasm import Action, HttpContext, set_http_context


def check_path(path: str) -> None:
    if "/raise" in path:
        raise ValueError(f"boom on {path}")


class Raising(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        check_path(self.get_http_request_header(":path") or "")
        self.set_http_request_header("x-survived", "yes")
        return Action.CONTINUE


set_http_context(lambda context_id, root_context_id: Raising())
