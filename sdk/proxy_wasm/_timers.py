"""Several timers on one tick: Proxy-Wasm gives a root context a single tick period, so the
SDK runs every timer of a root context from it. Adding a timer shrinks the tick period to the
greatest common divisor of the periods (it never grows back while timers remain: changing it
restarts the proxy's tick, which would delay the others); on each tick the due timers run in
the order they fall due."""

from __future__ import annotations

from math import gcd

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable


class Timer:
    """One timer: when it falls due next, its period, and what it runs."""

    __slots__ = ("callback", "due_ns", "period_ns", "repeat")

    def __init__(
        self, due_ns: int, period_ns: int, callback: Callable[[], object], repeat: bool
    ) -> None:
        self.due_ns = due_ns
        self.period_ns = period_ns
        self.callback = callback
        self.repeat = repeat


class Timers:
    """The timers of one root context."""

    def __init__(self) -> None:
        self.timers: dict[int, Timer] = {}
        self.next_id = 1

    def add(self, now_ns: int, period_ms: int, callback: Callable[[], object], repeat: bool) -> int:
        timer_id = self.next_id
        self.next_id += 1
        period_ns = period_ms * 1_000_000
        self.timers[timer_id] = Timer(now_ns + period_ns, period_ns, callback, repeat)
        return timer_id

    def tick_period_ms(self) -> int:
        """The tick period that serves every timer (0: none)."""
        period = 0
        for timer in self.timers.values():
            period = gcd(period, timer.period_ns // 1_000_000)
        return period

    def due(self, now_ns: int) -> list[tuple[int, Timer]]:
        """The timers due at ``now_ns`` (oldest due first), rescheduled or removed."""
        ready = sorted(((t.due_ns, i) for i, t in self.timers.items() if t.due_ns <= now_ns))
        out = []
        for _due, timer_id in ready:
            timer = self.timers[timer_id]
            out.append((timer_id, timer))
            if timer.repeat:
                # A late tick runs a timer once, then keeps its rhythm from now.
                timer.due_ns = max(timer.due_ns + timer.period_ns, now_ns + 1)
            else:
                del self.timers[timer_id]
        return out
