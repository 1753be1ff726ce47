"""Text from registries and modules, made safe to print on a terminal.

A registry (annotations, repository and tag names, error messages) or a module (its metadata,
export and import names) is not trusted: a string holding ``ESC]0;...BEL`` or ``ESC[2J``
would retitle or clear the user's terminal, a ``U+202E`` would reverse what follows. Every
string of that origin goes through :func:`printable` before the CLI prints it.
"""

from __future__ import annotations


def printable(text: object) -> str:
    """``text`` with every non-printable character (C0/C1 controls, ESC, DEL, line and
    bidi formatting characters...) replaced by its Python escape (``\\x1b``, ``\\u202e``);
    printable non-ASCII (``café``) is kept."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in value)
