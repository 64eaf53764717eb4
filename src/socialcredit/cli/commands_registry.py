"""Every command group registers itself here, so that modules stay small and independent."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Attach each command module's commands to ``app``."""
    from socialcredit.cli import store_commands

    for module in (store_commands,):
        module.register(app)
