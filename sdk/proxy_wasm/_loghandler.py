"""The stdlib ``logging`` handler (imported lazily: ``logging`` is a large module)."""

from __future__ import annotations

import logging

from . import _host as _h
from .log import level_for


class LogHandler(logging.Handler):
    """A ``logging.Handler`` that sends each record to ``proxy_log`` at the matching level.

    TRACE below ``DEBUG``, then DEBUG, INFO, WARN (``WARNING``), ERROR, CRITICAL. The record
    is formatted with the handler's formatter (default: the message, plus any traceback),
    and only when the host's log level lets it through.
    """

    def emit(self, record: logging.LogRecord) -> None:
        """Send ``record`` to the host."""
        try:
            host = _h.host
            level = level_for(record.levelno)
            if level < host.proxy_get_log_level():
                return
            text = self.format(record)
            host.proxy_log(level, text.encode("utf-8", "replace"))
        except Exception:
            self.handleError(record)
