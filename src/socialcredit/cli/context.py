"""What every command gets from the top-level options: the settings, built once."""

from __future__ import annotations

import typer

from socialcredit.settings import Settings


def settings_from(ctx: typer.Context) -> Settings:
    """The Settings built by the top-level callback."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Settings):  # pragma: no cover - the callback always sets it
        raise RuntimeError("settings were not built")
    return obj
