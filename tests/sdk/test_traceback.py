"""The SDK's own traceback text is the standard library's (minus 3.11's ^^^ column markers)."""

from __future__ import annotations

import re
import traceback

from proxy_wasm._traceback import format_exception


def stdlib_text(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc))
    return re.sub(r"(?m)^ *[~^]+ *\n", "", text)


def raised(fn: object) -> BaseException:
    try:
        fn()  # type: ignore[operator]
    except BaseException as exc:
        return exc
    raise AssertionError("nothing raised")


def lookup() -> None:
    {}["missing"]  # type: ignore[index]  # the literal is the line the tracebacks show


def explicit_cause() -> None:
    try:
        lookup()
    except KeyError as exc:
        raise ValueError("bad config") from exc


def implicit_context() -> None:
    try:
        lookup()
    except KeyError:
        raise RuntimeError("while handling")  # noqa: B904 - the implicit context is the point


def suppressed() -> None:
    try:
        lookup()
    except KeyError:
        raise LookupError("quiet") from None


def with_notes() -> None:
    exc = ValueError("")
    exc.add_note("first note")
    exc.add_note("second note")
    raise exc


def test_single_exception_with_source_lines() -> None:
    exc = raised(lookup)
    text = format_exception(exc)
    assert text == stdlib_text(exc)
    assert '{}["missing"]' in text and text.endswith("KeyError: 'missing'\n")


def test_chains_explicit_implicit_and_suppressed() -> None:
    for fn in (explicit_cause, implicit_context, suppressed):
        exc = raised(fn)
        assert format_exception(exc) == stdlib_text(exc), fn.__name__
    assert "direct cause" in format_exception(raised(explicit_cause))
    assert "During handling" in format_exception(raised(implicit_context))
    assert "KeyError" not in format_exception(raised(suppressed))


def test_notes_empty_message_and_module_qualified_names() -> None:
    exc = raised(with_notes)
    assert format_exception(exc) == stdlib_text(exc)
    assert format_exception(exc).endswith("ValueError\nfirst note\nsecond note\n")
    import json

    err = raised(lambda: json.loads("{"))
    assert format_exception(err).splitlines()[-1].startswith("json.decoder.JSONDecodeError: ")


def test_a_replaced_traceback_starts_where_the_caller_says() -> None:
    exc = raised(explicit_cause)
    assert exc.__traceback__ is not None and exc.__traceback__.tb_next is not None
    text = format_exception(exc, exc.__traceback__.tb_next)
    assert "in raised" not in text.split("direct cause")[1]


def recurse(n: int) -> int:
    missing: dict[str, int] = {}
    return recurse(n + 1) if n < 200 else missing["deep"]


def test_repeated_frames_collapse_like_the_stdlib() -> None:
    # a runaway recursion is a few lines, not one per frame (it was ~800 lines in a module)
    exc = raised(lambda: recurse(0))
    text = format_exception(exc)
    assert text == stdlib_text(exc)
    assert "[Previous line repeated 198 more times]" in text
    assert len(text.splitlines()) < 20
