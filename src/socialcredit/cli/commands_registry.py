"""Every command group registers itself here, so that modules stay small and independent."""

from __future__ import annotations

import typer


def register_all(app: typer.Typer) -> None:
    """Attach each command module's commands to ``app``."""
    from socialcredit.cli import (
        audit_commands,
        catalogue_commands,
        demo_commands,
        engine_commands,
        federation_commands,
        index_commands,
        party_commands,
        report_commands,
        scheme_commands,
        scorecard_commands,
        serve_commands,
        store_commands,
    )

    for module in (
        store_commands,
        engine_commands,
        scheme_commands,
        catalogue_commands,
        demo_commands,
        party_commands,
        serve_commands,
        audit_commands,
        index_commands,
        report_commands,
        scorecard_commands,
        federation_commands,
    ):
        module.register(app)
