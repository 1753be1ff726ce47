"""Metrics name folding and lazy definition; logging and the stdlib handler."""

from __future__ import annotations

import logging

import pytest

from proxy_wasm import _host, log
from proxy_wasm.metrics import Counter, Gauge, Histogram, fold_name

from .conftest import FakeHost


def test_fold_name_cpp_sdk_convention() -> None:
    assert fold_name("requests") == "requests"
    assert fold_name("requests", {"route": "a"}) == "route.a.requests"
    two = fold_name("requests", {"route": "a", "code": "200"}, "p_")
    assert two == "p_route.a.code.200.requests"
    assert Counter("requests", tags={"route": "a"}).name == "route.a.requests"


def test_metrics_define_lazily_once(host: FakeHost) -> None:
    c = Counter("hits")
    assert host.names().count("proxy_define_metric") == 0
    c.increment()
    c.increment(2)
    assert host.names().count("proxy_define_metric") == 1
    assert c.get() == 3
    with pytest.raises(ValueError, match="cannot decrement"):
        c.increment(-1)
    g = Gauge("g")
    g.record(5)
    g.increment(-2)
    g.decrement()
    assert g.get() == 2
    h = Histogram("lat", {"route": "r"})
    h.record(7)
    assert ("proxy_define_metric", (2, b"route.r.lat")) in host.calls
    # a new host binding defines again
    _host.bind(host)
    c.increment()
    assert host.names().count("proxy_define_metric") == 4


def test_log_skips_formatting_below_level(host: FakeHost) -> None:
    host.log_level = 2
    log.debug("x=%s", object())
    log.info("x=%s y=%d", "a", 3)
    log.warn("plain %s")  # no args: not formatted, the host filters by level
    log.error(ValueError("e"))
    assert host.logs == [(2, "x=a y=3"), (3, "plain %s"), (4, "e")]


def test_logging_handler_levels(host: FakeHost) -> None:
    logger = logging.getLogger("proxy_wasm_test")
    handler = log.install_logging_handler(logger)
    assert log.install_logging_handler(logger) is handler
    assert sum(isinstance(h, log.LogHandler) for h in logger.handlers) == 1
    try:
        logger.debug("d")
        logger.info("i %s", 1)
        logger.warning("w")
        logger.error("e")
        logger.critical("c")
        logger.log(5, "t")
    finally:
        logger.removeHandler(handler)
    assert host.logs == [(1, "d"), (2, "i 1"), (3, "w"), (4, "e"), (5, "c"), (0, "t")]
