"""Opens a gRPC stream per request: sends each word of ``x-say``, collects the replies, and
resumes the request with them in ``x-chat-reply`` once the server closes the stream."""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, HttpContext, grpc_service


class Chat(HttpContext):
    def __init__(self) -> None:
        super().__init__()
        self.replies: list[str] = []

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        words = (self.get_http_request_header("x-say") or "").split()
        token = self.create_grpc_stream(grpc_service("chat"), "chat.Chat", "Talk")
        for i, word in enumerate(words):
            self.grpc_stream_send(token, word.encode(), end_stream=i == len(words) - 1)
        return Action.PAUSE

    def on_grpc_stream_receive_body(self, token: int, message_size: int) -> None:
        self.replies.append((self.get_grpc_receive_buffer() or b"").decode())

    def on_grpc_stream_close(self, token: int, status_code: int) -> None:
        self.set_http_request_header("x-chat-reply", " ".join(self.replies))
        self.set_http_request_header("x-chat-status", str(status_code))
        proxy_wasm.log.info(f"chat closed with {status_code} after {len(self.replies)} replies")
        self.resume_http_request()


proxy_wasm.set_http_context(Chat)
