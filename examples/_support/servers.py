"""Servers on 127.0.0.1 that examples call out to, by kind (named in each example.yaml).

A factory returns a started server with ``.port`` and ``.stop()``; the examples' Envoy fixture
starts each one once per test session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from proxy_wasm_compiler.envoy import EchoServer


class Server(Protocol):
    """A started server."""

    @property
    def port(self) -> int: ...

    def stop(self) -> None: ...


def _echo() -> Server:
    return EchoServer().start()


# kind -> (factory, speaks HTTP/2 (gRPC))
SERVERS: dict[str, tuple[Callable[[], Server], bool]] = {
    "echo": (_echo, False),
}
