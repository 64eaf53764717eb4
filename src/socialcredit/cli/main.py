"""The ``socialcredit`` command: builds the settings once and hands them to each command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.text import Text

from socialcredit.cli.context import Run
from socialcredit.errors import InputError, Problem, SocialCreditError
from socialcredit.settings import Settings


def build_app() -> typer.Typer:
    """The command-line application: the top-level options here, each command loaded when it runs."""
    from socialcredit.cli.commands_registry import LazyGroup

    app = typer.Typer(
        cls=LazyGroup,
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
        today: Annotated[
            str | None,
            typer.Option(help="Run on another day: YYYY-MM-DD or +N days from today (SOCIALCREDIT_TODAY)."),
        ] = None,
    ) -> None:
        overrides: dict[str, object] = {}
        if data_dir is not None:
            overrides["data_dir"] = data_dir
        if database_url is not None:
            overrides["database_url"] = database_url
        if today is not None:
            overrides["today"] = today
        try:
            ctx.obj = Run.of(Settings(**overrides))
        except ValidationError as exc:
            raise InputError(
                [Problem(str(e["msg"]), ".".join(str(x) for x in e["loc"]), str(e.get("input"))) for e in exc.errors()]
            ) from None

    return app


def main(argv: list[str] | None = None) -> None:
    """Entry point. Usage errors exit 2 (click's own handling); a domain error prints its message, exits 1."""
    app = build_app()
    try:
        app(args=argv)
    except SocialCreditError as exc:
        # Soft wrap: a message is one line however narrow the terminal (or 80 columns, when stderr is a log),
        # so that a file's path in it is never broken; Text: its brackets are never read as markup.
        err = Console(stderr=True, soft_wrap=True, highlight=False)
        err.print(Text.assemble(("error:", "bold red"), f" {exc}"))
        for problem in getattr(exc, "problems", [])[1:]:
            err.print(Text(f"  {problem}"))
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
