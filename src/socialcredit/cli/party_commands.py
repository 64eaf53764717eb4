"""``party add`` / ``party list`` and ``token issue`` / ``token revoke``: who may use the service, and how."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialcredit.cli.context import open_store_from
from socialcredit.service.parties import Party, add_party, issue_token, list_parties, parse_role, revoke_tokens
from socialcredit.store import Store

party_app = typer.Typer(help="Parties: authorities' accounts, service providers, subjects, reviewers...",
                        no_args_is_help=True)
token_app = typer.Typer(help="Tokens: issued once (only a hash is kept), revoked for good.", no_args_is_help=True)


def _open(ctx: typer.Context) -> Store:
    return open_store_from(ctx)


@party_app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The party's code, e.g. rc-court-clerk.")],
    role: Annotated[
        str, typer.Option("--role", help="authority, provider, subject, reviewer, operator or public.")
    ],
    name: Annotated[str, typer.Option("--name", help="Who it is.")],
    authority: Annotated[
        str | None, typer.Option("--authority", help="authority role: the registered authority's code.")
    ] = None,
    subject_id: Annotated[
        str | None, typer.Option("--subject-id", help="subject role: the person's or organization's id.")
    ] = None,
    action: Annotated[
        list[str] | None, typer.Option("--action", help="provider role: an action it may ask about. Repeat.")
    ] = None,
) -> None:
    """Register a party (idempotent; a different registration under the same code is refused)."""
    party = Party(code, parse_role(role), name, authority, subject_id, tuple(action or ()))
    with _open(ctx) as store:
        added = add_party(store, party)
    Console().print(f"party {code}: {'added' if added else 'already registered, unchanged'}", highlight=False)


@party_app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every registered party."""
    with _open(ctx) as store:
        parties = list_parties(store)
    table = Table("code", "role", "name", "bound to")
    for p in parties:
        bound = p.authority or p.subject_id or ", ".join(p.actions) or "-"
        table.add_row(p.code, str(p.role), p.name, bound)
    Console().print(table)


@token_app.command("issue")
def issue(
    ctx: typer.Context,
    party: Annotated[str, typer.Argument(help="The party's code.")],
    label: Annotated[str | None, typer.Option("--label", help="A note on where the token is used.")] = None,
) -> None:
    """Issue a new token and print it once; only its SHA-256 is stored."""
    with _open(ctx) as store:
        token = issue_token(store, party, label=label)
    typer.echo(token)


@token_app.command("revoke")
def revoke(
    ctx: typer.Context,
    party: Annotated[str | None, typer.Argument(help="Revoke every live token of this party.")] = None,
    token: Annotated[str | None, typer.Option("--token", help="Revoke only this token.")] = None,
) -> None:
    """Revoke a party's tokens, or one token."""
    with _open(ctx) as store:
        n = revoke_tokens(store, party_code=party, token=token)
    Console().print(f"revoked {n} token{'s' if n != 1 else ''}", highlight=False)


def register(app: typer.Typer) -> None:
    """Attach the party and token groups."""
    app.add_typer(party_app, name="party")
    app.add_typer(token_app, name="token")
