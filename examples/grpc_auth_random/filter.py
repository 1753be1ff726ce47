"""grpc_auth_random: authorize each request through a unary gRPC call to an auth service.

On the request headers the filter calls ``auth.Authorizer/Check`` on cluster ``grpc_auth`` with
the request's bearer token as the message, and PAUSEs the request. Status OK resumes it (the
response message, ``user:<name>``, becomes the ``x-auth-user`` request header); any other gRPC
status gets a local ``403``. The upstream is a serialized ``envoy.config.core.v3.GrpcService``
(:func:`proxy_wasm.grpc.grpc_service`). The Rust SDK's version decides at random; here the
auth service's answer decides, so the outcome is reproducible.
"""

from __future__ import annotations

import proxy_wasm
from proxy_wasm import Action, GrpcStatus, HttpContext
from proxy_wasm.grpc import grpc_service

AUTH_UPSTREAM = grpc_service("grpc_auth")
SERVICE = "auth.Authorizer"
METHOD = "Check"


def _status_name(code: int) -> str:
    try:
        return GrpcStatus(code).name
    except ValueError:
        return str(code)


class GrpcAuthRandom(HttpContext):
    """Pauses each request until the gRPC auth service has answered."""

    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        authorization = self.get_http_request_header("authorization") or ""
        token = authorization.removeprefix("Bearer ").strip()
        path = self.get_http_request_header(":path") or "/"
        call = self.dispatch_grpc_call(
            AUTH_UPSTREAM, SERVICE, METHOD, [("x-original-path", path)], token.encode(), timeout=5.0
        )
        proxy_wasm.log.info(f"#{self.context_id} gRPC auth call {call} dispatched for {path}")
        return Action.PAUSE

    def on_grpc_call_response(self, token: int, status_code: int, message_size: int) -> None:
        if status_code != GrpcStatus.OK:
            _, message = self.get_grpc_status()
            proxy_wasm.log.info(
                f"#{self.context_id} auth service said "
                f"{_status_name(status_code)} ({message}): access forbidden"
            )
            self.send_http_response(
                403, [("powered-by", "proxy-wasm-python")], "Access forbidden.\n"
            )
            return
        answer = (self.get_grpc_receive_buffer() or b"").decode("utf-8", "replace")
        user = answer.removeprefix("user:")
        if user:
            self.set_http_request_header("x-auth-user", user)
        proxy_wasm.log.info(f"#{self.context_id} access granted to {user or 'anonymous'}")
        self.resume_http_request()


proxy_wasm.set_http_context(GrpcAuthRandom)
