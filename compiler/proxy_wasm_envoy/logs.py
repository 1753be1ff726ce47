"""Reading Envoy's log: records (multi-line aware) and the filter's ``wasm log`` lines.

The runner starts Envoy with :data:`LOG_FORMAT`, so each record starts with
``[date time][thread][level][logger] `` and a message may span several lines (a Python
traceback logged by a filter is one record). Filter logs look like
``wasm log <plugin name> <root id> <vm id>: <message>`` (empty parts are left out by Envoy).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO

#: ``--log-format`` the runner passes to Envoy (no source location: short, parseable lines).
LOG_FORMAT = "[%Y-%m-%d %T.%e][%t][%l][%n] %v"

_RECORD = re.compile(
    r"^\[(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\]\[(?P<thread>\d+)\]"
    r"\[(?P<level>[a-z]+)\]\[(?P<logger>[^\]]*)\] (?P<message>.*)$"
)
_WASM = re.compile(r"^wasm log(?P<prefix>[^:\n]*): (?P<message>.*)$", re.DOTALL)


@dataclass
class LogRecord:
    """One Envoy log record (``message`` keeps continuation lines, joined with newlines)."""

    time: str
    thread: int
    level: str
    logger: str
    message: str

    @property
    def is_wasm_log(self) -> bool:
        return self.message.startswith("wasm log")

    def wasm(self) -> WasmLog | None:
        """The filter log this record carries, if it is one."""
        m = _WASM.match(self.message)
        if m is None:
            return None
        parts = m.group("prefix").split()
        return WasmLog(
            level=self.level,
            plugin=parts[0] if parts else "",
            ids=tuple(parts[1:]),
            message=m.group("message"),
            thread=self.thread,
            time=self.time,
        )

    def __str__(self) -> str:
        return f"[{self.time}][{self.thread}][{self.level}][{self.logger}] {self.message}"


@dataclass
class WasmLog:
    """A message a filter logged with ``proxy_log``."""

    level: str
    plugin: str
    ids: tuple[str, ...]
    message: str
    thread: int = 0
    time: str = ""

    def __str__(self) -> str:
        return f"{self.level:<8} {self.plugin}: {self.message}"


def parse_lines(lines: Iterable[str]) -> Iterator[LogRecord]:
    """Group raw log lines into records (lines not starting a record continue the last one)."""
    current: LogRecord | None = None
    for raw in lines:
        line = raw.rstrip("\n")
        m = _RECORD.match(line)
        if m is not None:
            if current is not None:
                yield current
            current = LogRecord(m["time"], int(m["thread"]), m["level"], m["logger"], m["message"])
        elif current is not None:
            current.message += "\n" + line
        elif line.strip():
            current = LogRecord("", 0, "info", "", line)
    if current is not None:
        yield current


def first_error(records: Iterable[LogRecord]) -> str | None:
    """The first critical (else error) message, on one line: why Envoy refused to start."""
    errors: list[LogRecord] = []
    for record in records:
        if record.level == "critical":
            return _one_line(record.message)
        if record.level == "error":
            errors.append(record)
    if errors:
        return _one_line(errors[0].message)
    return None


def startup_failure(records: Iterable[LogRecord]) -> str | None:
    """One line saying why Envoy refused to start, with the filter's own last error.

    E.g. ``Unable to create Wasm plugin p: Failed to configure base Wasm plugin (the filter
    logged: ValueError: bad config)``.
    """
    items = list(records)
    main: str | None = None
    for record in items:
        if record.level == "critical" and record.logger == "main":
            m = re.search(r"`([^`]*)`", record.message)
            main = m.group(1) if m else _one_line(record.message)
            break
    if main is None:
        main = first_error(items)
    vm = next(
        (
            r.message.removeprefix("Wasm VM failed ").strip()
            for r in items
            if r.level in ("error", "critical") and r.message.startswith("Wasm VM failed")
        ),
        None,
    )
    filter_errors = [r.wasm() for r in items if r.level in ("error", "critical") and r.is_wasm_log]
    said_lines: list[str] = []
    for entry in filter_errors:
        if entry is None:
            continue
        lines = [ln.strip() for ln in entry.message.splitlines() if ln.strip()]
        if lines and lines[-1] not in said_lines:
            said_lines.append(lines[-1])
    said = "; ".join(said_lines[-3:]) if said_lines else None
    if main is None:
        return None
    out = main
    if vm and vm not in out:
        out += f": {vm}"
    if said:
        out += f" (the filter logged: {said})"
    return out


def _one_line(message: str) -> str:
    return " ".join(part.strip() for part in message.splitlines() if part.strip())


class LogCollector:
    """Reads an Envoy log stream in a thread, keeps the records, and calls ``on_record``.

    A record is complete when the next one starts, or after ``flush_after`` seconds of
    silence (so the last line of a traceback is not held back forever).
    """

    def __init__(
        self,
        stream: IO[str],
        on_record: Callable[[LogRecord], None] | None = None,
        *,
        max_records: int = 100_000,
        flush_after: float = 0.2,
    ) -> None:
        self._stream = stream
        self._on_record = on_record
        self._max = max_records
        self._flush_after = flush_after
        self._lock = threading.Condition()
        self._records: list[LogRecord] = []
        self._raw: list[str] = []
        self._pending: list[str] = []
        self._done = False
        self._thread = threading.Thread(target=self._run, name="envoy-log", daemon=True)
        self._flusher = threading.Thread(
            target=self._flush_loop, name="envoy-log-flush", daemon=True
        )

    def start(self) -> LogCollector:
        self._thread.start()
        self._flusher.start()
        return self

    def _emit_pending(self) -> None:
        # caller holds the lock
        if not self._pending:
            return
        records = list(parse_lines(self._pending))
        self._pending = []
        for record in records:
            if len(self._records) < self._max:
                self._records.append(record)
            if self._on_record is not None:
                # a printing callback must never stop the reader
                with contextlib.suppress(Exception):
                    self._on_record(record)
        self._lock.notify_all()

    def _run(self) -> None:
        for line in self._stream:
            with self._lock:
                if len(self._raw) < self._max:
                    self._raw.append(line.rstrip("\n"))
                if _RECORD.match(line) and self._pending:
                    self._emit_pending()
                self._pending.append(line)
                self._lock.notify_all()
        with self._lock:
            self._emit_pending()
            self._done = True
            self._lock.notify_all()

    def _flush_loop(self) -> None:
        with self._lock:
            while not self._done:
                had = len(self._pending)
                self._lock.wait(self._flush_after)
                if self._pending and len(self._pending) == had:
                    self._emit_pending()

    def join(self, timeout: float = 5.0) -> None:
        self._thread.join(timeout)
        with self._lock:
            self._emit_pending()

    def records(self) -> list[LogRecord]:
        with self._lock:
            return list(self._records)

    def lines(self) -> list[str]:
        with self._lock:
            return list(self._raw)

    def wasm_logs(self) -> list[WasmLog]:
        out: list[WasmLog] = []
        for record in self.records():
            entry = record.wasm()
            if entry is not None:
                out.append(entry)
        return out

    def wait_for(
        self, predicate: Callable[[LogRecord], bool], timeout: float = 10.0, start: int = 0
    ) -> LogRecord | None:
        """Wait until a record from index ``start`` on satisfies ``predicate`` (None on timeout)."""
        import time

        deadline = time.monotonic() + timeout
        with self._lock:
            checked = start
            while True:
                while checked < len(self._records):
                    if predicate(self._records[checked]):
                        return self._records[checked]
                    checked += 1
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._done:
                    return None
                self._lock.wait(min(remaining, 0.1))
