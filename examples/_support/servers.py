"""Servers on 127.0.0.1 that examples call out to, by kind (named in each example.yaml).

A factory returns a started server with ``.port`` and ``.stop()``; the examples' Envoy fixture
starts each one once per test session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from proxy_wasm_envoy import EchoServer


class Server(Protocol):
    """A started server."""

    @property
    def port(self) -> int: ...

    def stop(self) -> None: ...


def _echo() -> Server:
    return EchoServer().start()


class GrpcAuthServer:
    """A gRPC service ``auth.Authorizer`` with one unary method ``Check`` (raw-bytes messages).

    The request message is a token (UTF-8). A token starting with ``good`` is accepted: status
    OK and the response message ``user:<rest of the token>`` (``user:`` alone for ``good``);
    any other token fails with ``PERMISSION_DENIED`` and the details ``bad token``. The
    messages are plain bytes (identity serializers), so no protoc step is needed.
    """

    SERVICE = "auth.Authorizer"
    METHOD = "Check"

    def __init__(self) -> None:
        from concurrent import futures

        import grpc

        self.requests: list[tuple[bytes, dict[str, str]]] = []

        def check(request: bytes, context: grpc.ServicerContext) -> bytes:
            metadata = {k: v for k, v in context.invocation_metadata() if isinstance(v, str)}
            self.requests.append((request, metadata))
            token = request.decode("utf-8", "replace")
            if token.startswith("good"):
                return b"user:" + token[len("good") :].lstrip("-").encode()
            context.abort(grpc.StatusCode.PERMISSION_DENIED, "bad token")
            raise AssertionError("unreachable")  # abort raises

        handler = grpc.method_handlers_generic_handler(
            self.SERVICE, {self.METHOD: grpc.unary_unary_rpc_method_handler(check)}
        )
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=4), handlers=[handler])
        self.port: int = self._server.add_insecure_port("127.0.0.1:0")
        self._server.start()

    def stop(self) -> None:
        self._server.stop(grace=None)


def _grpc_auth() -> Server:
    return GrpcAuthServer()


# kind -> (factory, speaks HTTP/2 (gRPC))
SERVERS: dict[str, tuple[Callable[[], Server], bool]] = {
    "echo": (_echo, False),
    "grpc_auth": (_grpc_auth, True),
}
