"""The ``proxy-wasm`` command line: thin commands over library functions.

Each command lives in its own module and is registered here. ``main(argv)`` is callable from
tests; ``entrypoint()`` is the console script.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from proxy_wasm_cli import build_cmd, hub_cmd, inspect_cmd, run_cmd, test_cmd
from proxy_wasm_compiler import __version__
from proxy_wasm_compiler.errors import UserError
from proxy_wasm_hub.printable import printable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proxy-wasm")
def cli() -> None:
    """Build, run, test, inspect and publish Python Proxy-Wasm filters."""


for _module in (build_cmd, run_cmd, inspect_cmd, test_cmd, hub_cmd):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return its exit code (user mistakes give one line, code 2)."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="proxy-wasm",
            standalone_mode=False,
        )
    except UserError as exc:
        click.echo("error: " + "\n".join(map(printable, str(exc).split("\n"))), err=True)
        return 2
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    return 0


def entrypoint() -> None:
    """Console-script entry point."""
    sys.exit(main())
