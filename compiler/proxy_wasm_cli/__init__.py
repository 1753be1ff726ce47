"""The ``proxy-wasm`` command line: thin commands over library functions.

Each command lives in its own module, listed in :data:`COMMANDS` and imported only when it
runs. ``main(argv)`` is callable from tests; ``entrypoint()`` is the console script.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from proxy_wasm import __version__
from proxy_wasm_cli.lazy import LazyGroup
from proxy_wasm_compiler.errors import ToolError, UserError
from proxy_wasm_compiler.printable import printable

BROKEN_TOOL = "this is a bug or a broken install, not a mistake in your input"


#: Every top-level command: ``name -> "module:attribute"`` (groups list their own subcommands).
COMMANDS = {
    "build": "proxy_wasm_cli.build_cmd:build",
    "run": "proxy_wasm_cli.run_cmd:run_command",
    "deploy": "proxy_wasm_cli.deploy_group:deploy",
    "inspect": "proxy_wasm_cli.inspect_cmd:inspect_command",
    "test": "proxy_wasm_cli.test_cmd:test",
    "push": "proxy_wasm_cli.hub_cmd:push_command",
    "pull": "proxy_wasm_cli.hub_cmd:pull_command",
    "tag": "proxy_wasm_cli.hub_cmd:tag_command",
    "login": "proxy_wasm_cli.hub_cmd:login_command",
    "logout": "proxy_wasm_cli.hub_cmd:logout_command",
    "list": "proxy_wasm_cli.hub_cmd:list_command",
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="proxy-wasm")
def cli() -> None:
    """Build, run, test, inspect and publish Python Proxy-Wasm filters."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return its exit code.

    A user mistake gives one ``error:`` line and code 2; a failed tool gives its message, a note
    that this is a bug or a broken install, the tool's output, and code 1.
    """
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="proxy-wasm",
            standalone_mode=False,
        )
    except UserError as exc:
        click.echo("error: " + "\n".join(map(printable, str(exc).split("\n"))), err=True)
        return 2
    except ToolError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo(f"({BROKEN_TOOL}; please report it with the output below)", err=True)
        if exc.output.strip():
            click.echo(exc.output.rstrip(), err=True)
        return 1
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
