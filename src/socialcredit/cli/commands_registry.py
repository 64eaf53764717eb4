"""Every command group registers itself here, so that modules stay small and independent.

A command's module is imported only when that command runs (or when help lists every command): most commands
need a few of the libraries the others load (the store, the HTTP client, the engines), and a command that
scores a file should not spend a second loading the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

COMMANDS: dict[str, str] = {
    "init": "store_commands",
    "authority": "store_commands",
    "ingest": "store_commands",
    "score": "engine_commands",
    "entries": "engine_commands",
    "explain": "engine_commands",
    "decide": "engine_commands",
    "scheme": "scheme_commands",
    "catalogue": "catalogue_commands",
    "demo": "demo_commands",
    "party": "party_commands",
    "token": "party_commands",
    "serve": "serve_commands",
    "audit": "audit_commands",
    "index": "index_commands",
    "report": "report_commands",
    "scorecard": "scorecard_commands",
    "federation": "federation_commands",
    "lab": "lab_commands",
}
"""Each top-level command and the module (under ``socialcredit.cli``) whose ``register`` attaches it."""


def module_commands(module_name: str) -> TyperGroup:
    """The commands one module registers, as a click group of their own."""
    module = importlib.import_module(f"socialcredit.cli.{module_name}")
    holder = typer.Typer()

    @holder.callback()
    def _holder() -> None:  # a group, even for a module of one command
        pass

    module.register(holder)
    group = typer.main.get_command(holder)
    assert isinstance(group, TyperGroup)
    return group


class LazyGroup(TyperGroup):
    """The root group: its commands are found in :data:`COMMANDS` and loaded on first use."""

    # Typer carries its own copy of click: its context and command types are typed loosely here.
    def list_commands(self, ctx: Any) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is not None or cmd_name not in COMMANDS:
            return found
        command = module_commands(COMMANDS[cmd_name]).get_command(ctx, cmd_name)
        if command is not None:
            self.add_command(command, cmd_name)
        return command
