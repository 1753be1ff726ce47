"""Metrics as objects: :class:`Counter`, :class:`Gauge`, :class:`Histogram`.

A metric is defined with the host lazily, on first use, so metrics may be created at module
import (when a compiled module starts, host calls other than logging are refused). Each VM
defines its own id; Envoy binds every id of one name to the same stat, shown in ``/stats`` as
``wasmcustom.<name>``.

Tags are folded into the name as the C++ SDK does: each ``tagname.tagvalue.`` pair, in order,
goes before the name, so ``Counter("requests", tags={"route": "a", "code": "200"})`` is the
stat ``route.a.code.200.requests``. An optional ``prefix`` goes first.
"""

from __future__ import annotations

from . import _host as _h

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping


def fold_name(name: str, tags: Mapping[str, str] | None = None, prefix: str = "") -> str:
    """Return the full stat name: ``prefix`` + ``tagname.tagvalue.`` per tag + ``name``."""
    if not tags:
        return prefix + name
    return prefix + "".join(f"{k}.{v}." for k, v in tags.items()) + name


class Metric:
    """A metric of one type and full name; the host id is resolved on first use."""

    __slots__ = ("_generation", "_id", "name")
    metric_type = 0

    def __init__(
        self, name: str, tags: Mapping[str, str] | None = None, *, prefix: str = ""
    ) -> None:
        self.name = fold_name(name, tags, prefix)
        """The full name, tags folded in."""
        self._id = -1
        self._generation = -1

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def define(self) -> int:
        """Define the metric with the host (if not done yet) and return its id."""
        if self._generation != _h.generation:
            self._id = _h.host.proxy_define_metric(self.metric_type, self.name.encode())
            self._generation = _h.generation
        return self._id

    @property
    def metric_id(self) -> int:
        """The host's id of the metric (defines it when needed)."""
        return self.define()

    def get(self) -> int:
        """Return the current value (histograms: not supported by Envoy)."""
        return _h.host.proxy_get_metric(self.define())


class Counter(Metric):
    """A monotonically increasing count."""

    __slots__ = ()
    metric_type = 0

    def increment(self, delta: int = 1) -> None:
        """Add ``delta`` (>= 0) to the counter."""
        if delta < 0:
            raise ValueError(f"counter {self.name}: cannot decrement by {delta}")
        metric_id = self._id if self._generation == _h.generation else self.define()
        _h.host.proxy_increment_metric(metric_id, delta)


class Gauge(Metric):
    """A value that goes up and down."""

    __slots__ = ()
    metric_type = 1

    def increment(self, delta: int = 1) -> None:
        """Add ``delta`` (may be negative) to the gauge."""
        _h.host.proxy_increment_metric(self.define(), delta)

    def decrement(self, delta: int = 1) -> None:
        """Subtract ``delta`` from the gauge."""
        _h.host.proxy_increment_metric(self.define(), -delta)

    def record(self, value: int) -> None:
        """Set the gauge to ``value``."""
        _h.host.proxy_record_metric(self.define(), value)


class Histogram(Metric):
    """A distribution of recorded values."""

    __slots__ = ()
    metric_type = 2

    def record(self, value: int) -> None:
        """Record one value (>= 0)."""
        if value < 0:
            raise ValueError(f"histogram {self.name}: cannot record negative value {value}")
        _h.host.proxy_record_metric(self.define(), value)
