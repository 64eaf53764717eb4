"""The ``socialcredit`` command: builds the settings once and hands them to each command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.errors import SocialCreditError
from socialcredit.settings import Settings


def build_app() -> typer.Typer:
    """Assemble the command-line application from its command groups."""
    app = typer.Typer(
        name="socialcredit",
        help="An open, accountable credit information platform: records, published schemes, explained "
        "decisions.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        data_dir: Annotated[
            Path | None, typer.Option(help="Folder for the embedded store (default: var).")
        ] = None,
        database_url: Annotated[
            str | None, typer.Option(help="Store URL, e.g. postgresql+psycopg://user@host/db.")
        ] = None,
    ) -> None:
        overrides: dict[str, object] = {}
        if data_dir is not None:
            overrides["data_dir"] = data_dir
        if database_url is not None:
            overrides["database_url"] = database_url
        ctx.obj = Settings(**overrides)

    from socialcredit.cli import commands_registry

    commands_registry.register_all(app)
    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI; a domain error prints its message and exits with status 1."""
    app = build_app()
    try:
        app(args=argv, standalone_mode=False)
    except SocialCreditError as exc:
        Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except typer.Abort:
        sys.exit(130)
    except SystemExit:
        raise
    except Exception as exc:  # click's own usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
