"""Recurses as deep as ``x-depth`` says, through the patterns that use the most native stack.

``x-mode``: ``gen`` (nested ``yield from``: one recursion count per level), ``c`` (through a
builtin: ``max(map(f, ...))``), ``init`` (through a class's ``__init__``), ``repr``, ``pure``.
``x-limit`` first calls ``sys.setrecursionlimit`` (the module clamps it to what its stack holds).
"""

import sys
from collections.abc import Callable, Iterator

import proxy_wasm
from proxy_wasm import Action, HttpContext


def gen(n: int) -> Iterator[int]:
    if n:
        yield from gen(n - 1)
    else:
        yield 0


def via_gen(n: int) -> int:
    return sum(gen(n))


def via_c(n: int) -> int:
    return 0 if n == 0 else 1 + max(map(via_c, (n - 1,)))


class Node:
    def __init__(self, n: int) -> None:
        self.depth: int = 0 if n == 0 else Node(n - 1).depth + 1


def via_init(n: int) -> int:
    return Node(n).depth


class Chain:
    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return "x" if self.n == 0 else repr(Chain(self.n - 1))


def via_repr(n: int) -> int:
    return len(repr(Chain(n)))


def pure(n: int) -> int:
    return 0 if n == 0 else 1 + pure(n - 1)


MODES: dict[str, Callable[[int], int]] = {
    "gen": via_gen,
    "c": via_c,
    "init": via_init,
    "repr": via_repr,
    "pure": pure,
}


class Recurse(HttpContext):
    def on_http_request_headers(self, num_headers: int, end_of_stream: bool) -> Action:
        limit = self.get_http_request_header("x-limit")
        if limit:
            sys.setrecursionlimit(int(limit))
        mode = MODES[self.get_http_request_header("x-mode") or "gen"]
        mode(int(self.get_http_request_header("x-depth") or "10"))  # RecursionError: a 500
        self.set_http_request_header("x-limit-now", str(sys.getrecursionlimit()))
        return Action.CONTINUE


proxy_wasm.set_http_context(Recurse)
