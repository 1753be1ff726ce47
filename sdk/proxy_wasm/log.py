"""Logging to the host: ``proxy_wasm.log.info("x=%s", x)`` and a stdlib ``logging`` handler.

Messages with ``%`` arguments are formatted only when the host's log level
(``proxy_get_log_level``) lets them through. :func:`install_logging_handler` routes stdlib
``logging`` records to ``proxy_log`` at the matching level (``logging`` is imported only then).
"""

from __future__ import annotations

from . import _host as _h
from .errors import not_bundled
from .types import LogLevel

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging

    from ._loghandler import LogHandler as LogHandler

__all__ = [
    "LogHandler",
    "critical",
    "debug",
    "error",
    "info",
    "install_logging_handler",
    "log",
    "trace",
    "warn",
    "warning",
]

# Plain ints: looking up an enum member costs about 90 ns on CPython 3.11.
_TRACE = int(LogLevel.TRACE)
_DEBUG = int(LogLevel.DEBUG)
_INFO = int(LogLevel.INFO)
_WARN = int(LogLevel.WARN)
_ERROR = int(LogLevel.ERROR)
_CRITICAL = int(LogLevel.CRITICAL)

#: The compiler bundles logging (imported inside functions here) only into filters that name
#: one of these.
__bundled_when_named__ = ("install_logging_handler", "LogHandler")


def log(level: int, message: object, *args: object) -> None:
    """Log ``message % args`` at ``level`` (a :class:`~proxy_wasm.LogLevel`)."""
    host = _h.host
    if args:
        if level < host.proxy_get_log_level():
            return
        text = str(message) % args
    else:
        text = message if isinstance(message, str) else str(message)
    host.proxy_log(level, text.encode("utf-8", "replace"))


def trace(message: object, *args: object) -> None:
    """Log at TRACE."""
    log(_TRACE, message, *args)


def debug(message: object, *args: object) -> None:
    """Log at DEBUG."""
    log(_DEBUG, message, *args)


def info(message: object, *args: object) -> None:
    """Log at INFO."""
    log(_INFO, message, *args)


def warn(message: object, *args: object) -> None:
    """Log at WARN."""
    log(_WARN, message, *args)


warning = warn


def error(message: object, *args: object) -> None:
    """Log at ERROR."""
    log(_ERROR, message, *args)


def critical(message: object, *args: object) -> None:
    """Log at CRITICAL."""
    log(_CRITICAL, message, *args)


def level_for(levelno: int) -> int:
    """Map a stdlib ``logging`` level number to a Proxy-Wasm log level."""
    if levelno < 10:
        return _TRACE
    if levelno < 20:
        return _DEBUG
    if levelno < 30:
        return _INFO
    if levelno < 40:
        return _WARN
    if levelno < 50:
        return _ERROR
    return _CRITICAL


def install_logging_handler(
    logger: logging.Logger | None = None, level: int | None = None
) -> LogHandler:
    """Add a :class:`LogHandler` to ``logger`` (default: the root logger) and return it.

    ``level`` sets the logger's level (default 1: every record, TRACE included); records
    below the host's log level are dropped before formatting.
    Safe to call at module import: it makes no host call. Calling it twice adds one handler.
    """
    try:
        import logging

        from ._loghandler import LogHandler
    except ModuleNotFoundError as exc:
        raise not_bundled("install_logging_handler", exc) from None

    target = logger if logger is not None else logging.getLogger()
    for existing in target.handlers:
        if isinstance(existing, LogHandler):
            handler = existing
            break
    else:
        handler = LogHandler()
        target.addHandler(handler)
    target.setLevel(1 if level is None else level)
    return handler


def __getattr__(name: str) -> object:
    if name == "LogHandler":
        try:
            from ._loghandler import LogHandler
        except ModuleNotFoundError as exc:
            raise not_bundled("LogHandler", exc) from None
        return LogHandler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
