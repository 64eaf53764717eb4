"""``socialcredit serve``: the HTTP API (uvicorn) over the store, optionally with one party per role for the demo."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.cli.context import settings_from
from socialcredit.dates import today_cst
from socialcredit.errors import NotFound
from socialcredit.service.parties import Party, Role, add_party, issue_token, revoke_tokens
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store_for

DEMO_AUTHORITY = "RC-COURT"
"""The demo city's court (see ``socialcredit demo``)."""


def demo_parties(store: Store) -> list[tuple[Party, str]]:
    """One party per role on the demo city, each with a fresh token (earlier demo tokens are revoked)."""
    from socialcredit.engine.evaluate import Evaluator
    from socialcredit.ids import IdScheme, parse_subject_id
    from socialcredit.scheme.registry import load_scheme

    try:
        store.get_authority(DEMO_AUTHORITY)
    except NotFound:
        raise NotFound(
            f"the demo city is not in the store (no {DEMO_AUTHORITY}): run `socialcredit demo` first"
        ) from None
    scheme = load_scheme("judgment-debtors")
    evaluator = Evaluator(scheme, store.effective(types=scheme.record_types()))
    today = today_cst()
    subject = next(
        (
            s
            for s in store.subjects()
            if parse_subject_id(s).scheme is IdScheme.RESIDENT_ID
            and not evaluator.result(s, today).active_entries
        ),
        None,
    )
    if subject is None:  # pragma: no cover - the demo city has unlisted residents
        raise NotFound("no unlisted resident in the store to act as the demo subject")
    parties = [
        Party("demo-court", Role.AUTHORITY, "Rongcheng People's Court (enforcement clerk)", authority=DEMO_AUTHORITY),
        Party("demo-ticket-seller", Role.PROVIDER, "Railway and airline ticketing",
              actions=("buy_air_ticket", "buy_g_train_ticket", "buy_soft_sleeper")),
        Party("demo-subject", Role.SUBJECT, "A resident of the demo city", subject_id=subject),
        Party("demo-reviewer", Role.REVIEWER, "Objection and repair reviewer"),
        Party("demo-operator", Role.OPERATOR, "Platform operator"),
        Party("demo-public", Role.PUBLIC, "A member of the public"),
    ]
    out = []
    for party in parties:
        add_party(store, party)
        revoke_tokens(store, party_code=party.code)
        out.append((party, issue_token(store, party.code, label="serve --demo-parties")))
    return out


def _write_env(path: Path, base: str, issued: list[tuple[Party, str]]) -> None:
    lines = [f"export SC={base}"]
    for party, token in issued:
        name = party.code.removeprefix("demo-").replace("-", "_").upper()
        lines.append(f"export {name}={token}")
        if party.subject_id:
            lines.append(f"export SUBJECT_ID={party.subject_id}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    demo: Annotated[
        bool,
        typer.Option("--demo-parties", help="Register one party per role on the demo city and print their tokens."),
    ] = False,
) -> None:
    """Serve the HTTP API over the store (migrated first); OpenAPI at /openapi.json, docs at /docs."""
    import uvicorn

    from socialcredit.api import create_app

    settings: Settings = settings_from(ctx)
    console = Console()
    base = f"http://{host}:{port}"
    with open_store_for(settings) as store:
        store.migrate()
        issued = demo_parties(store) if demo else []
    console.print(f"socialcredit service on {base}  (store {settings.store_url()})", highlight=False)
    console.print(f"  OpenAPI: {base}/openapi.json   docs: {base}/docs", highlight=False)
    if issued:
        for party, token in issued:
            bound = party.authority or party.subject_id or ", ".join(party.actions) or "-"
            console.print(f"  {party.code:<20} {party.role!s:<10} {bound:<40} {token}", highlight=False, soft_wrap=True)
        env = settings.data_dir / "demo-tokens.env"
        _write_env(env, base, issued)
        console.print(f"  tokens also in {env}: `source {env}` then e.g.\n"
                      f"  curl -H \"Authorization: Bearer $SUBJECT\" $SC/v1/subjects/$SUBJECT_ID/file",
                      highlight=False)
    app = create_app(settings)
    live = app.state.platform.live
    if live is not None:
        started = time.perf_counter()
        live.sync()  # built now, not on the first ticket check
        sizes = ", ".join(f"{name} {size:,} rows" for name, size in live.sizes().items()) or "no list-based measures"
        console.print(
            f"  decision index: {sizes}; built in {time.perf_counter() - started:.1f} s, kept current from the "
            "audit log",
            highlight=False,
        )
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Attach serve."""
    app.command()(serve)
