"""Format an exception with its traceback, as ``traceback.format_exception`` prints it.

Written for the filter's error log entries instead of using :mod:`traceback`, whose imports
(``linecache``, ``tokenize``, ``re``, ``textwrap``...) would be frozen into every module and
copied into every VM of the proxy. Inside a module there are no source files: the lines come
from ``_proxy_wasm_sources``, the filter's own files that the compiler embeds. Not carried over
from the stdlib: 3.11's ``^^^`` column markers and the tree of an exception group's members
(the group's own line is printed).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import TracebackType

_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"

_lines: dict[str, list[str] | None] = {}


def _embedded_sources() -> dict[str, str]:
    try:
        import _proxy_wasm_sources  # type: ignore[import-not-found]
    except ImportError:  # the null runtime: the files are there
        return {}
    sources: dict[str, str] = _proxy_wasm_sources.SOURCES
    return sources


def source_line(filename: str, lineno: int) -> str:
    """Return line ``lineno`` of ``filename``, stripped, or ``""`` when unknown."""
    lines = _lines.get(filename)
    if filename not in _lines:
        text = _embedded_sources().get(filename)
        if text is None:
            try:
                with open(filename, encoding="utf-8", errors="replace") as f:
                    text = f.read()
            except (OSError, ValueError):
                text = None
        lines = _lines[filename] = None if text is None else text.splitlines()
    if lines is None or not 0 < lineno <= len(lines):
        return ""
    return lines[lineno - 1].strip()


def _exception_line(exc: BaseException) -> str:
    cls = type(exc)
    name = cls.__qualname__
    if cls.__module__ not in ("builtins", "__main__"):
        name = f"{cls.__module__}.{name}"
    try:
        text = str(exc)
    except Exception:
        text = "<exception str() failed>"
    return f"{name}: {text}\n" if text else f"{name}\n"


_RECURSIVE_CUTOFF = 3  # the stdlib's: more identical frames in a row become one line


def _repeated(count: int) -> str:
    count -= _RECURSIVE_CUTOFF
    return f"  [Previous line repeated {count} more time{'s' if count > 1 else ''}]\n"


def _frames(tb: TracebackType | None) -> list[str]:
    out = []
    last: tuple[str, int, str] | None = None
    count = 0
    while tb is not None:
        code = tb.tb_frame.f_code
        lineno = tb.tb_lineno
        tb = tb.tb_next
        here = (code.co_filename, lineno, code.co_name)
        if here != last:
            if count > _RECURSIVE_CUTOFF:
                out.append(_repeated(count))
            last, count = here, 0
        count += 1
        if count > _RECURSIVE_CUTOFF:
            continue
        out.append(f'  File "{code.co_filename}", line {lineno}, in {code.co_name}\n')
        line = source_line(code.co_filename, lineno)
        if line:
            out.append(f"    {line}\n")
    if count > _RECURSIVE_CUTOFF:
        out.append(_repeated(count))
    return out


def _one(exc: BaseException, tb: TracebackType | None) -> list[str]:
    out = ["Traceback (most recent call last):\n", *_frames(tb)] if tb is not None else []
    out.append(_exception_line(exc))
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, (list, tuple)):
        out.extend(f"{note}\n" for note in notes)
    return out


def format_exception(exc: BaseException, tb: TracebackType | None = None) -> str:
    """Return the text ``traceback.format_exception(exc)`` would, chained exceptions first.

    ``tb`` replaces the traceback of ``exc`` itself (e.g. without the dispatcher's frame).
    """
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    own_tb = tb if tb is not None else exc.__traceback__
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        block = _one(current, own_tb if current is exc else current.__traceback__)
        if current.__cause__ is not None:
            link, current = _CAUSE, current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            link, current = _CONTEXT, current.__context__
        else:
            link, current = "", None
        parts.insert(0, "".join(block))
        if link and current is not None and id(current) not in seen:
            parts.insert(0, link)
    return "".join(parts)
