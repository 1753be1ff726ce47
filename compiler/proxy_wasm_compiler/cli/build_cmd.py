"""Placeholder: commands are added by their owner."""

import click

COMMANDS: list[click.Command] = []
