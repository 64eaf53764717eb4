"""``socialcredit serve``: the HTTP API (uvicorn) over the store, optionally with one party per role for the demo."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from socialcredit.cli.context import run_from
from socialcredit.errors import NotFound, Problem, SchemeError
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.registry import load_scheme
from socialcredit.service.parties import (
    Party,
    Role,
    Unauthenticated,
    add_party,
    authenticate,
    get_party,
    issue_token,
    revoke_tokens,
)
from socialcredit.service.scheme_operations import latest_operated
from socialcredit.store import Store

DEMO_AUTHORITY = "RC-COURT"
"""The demo city's court (see ``socialcredit demo``)."""


def demo_parties(store: Store, env: Path, today: date, base: str | None = None) -> list[tuple[Party, str]]:
    """One party per role on the demo city, each with a token that works, written to ``env``.

    Safe to run again, after a kill -9 or once the story has listed the demo subject: the subject chosen the
    first time stays the demo subject; a token in ``env`` that still works is kept, a new one is issued only
    where none does; ``env`` is replaced whole (written aside, then renamed) before any old token is revoked,
    so it never holds a dead token, and a crash at any point leaves the tokens it holds working."""
    try:
        store.get_authority(DEMO_AUTHORITY)
    except NotFound:
        raise NotFound(
            f"the demo city is not in the store (no {DEMO_AUTHORITY}): run `socialcredit demo` first"
        ) from None
    parties = [
        Party("demo-court", Role.AUTHORITY, "Rongcheng People's Court (enforcement clerk)", authority=DEMO_AUTHORITY),
        Party(
            "demo-ticket-seller",
            Role.PROVIDER,
            "Railway and airline ticketing",
            actions=("buy_air_ticket", "buy_g_train_ticket", "buy_soft_sleeper"),
        ),
        Party(
            "demo-lender",
            Role.PROVIDER,
            "Rongcheng Rural Commercial Bank (credit desk)",
            actions=("credit_application",),
        ),
        Party("demo-subject", Role.SUBJECT, "A resident of the demo city", subject_id=_demo_subject(store, today)),
        Party("demo-reviewer", Role.REVIEWER, "Objection and repair reviewer"),
        Party("demo-operator", Role.OPERATOR, "Platform operator"),
        Party("demo-public", Role.PUBLIC, "A member of the public"),
    ]
    refused = _refused_applicant(store, today)
    if refused is not None:
        parties.append(
            Party("demo-applicant", Role.SUBJECT, "A resident refused credit by the lender", subject_id=refused)
        )
    held = _read_env(env)
    out = []
    for party in parties:
        add_party(store, party)
        token = held.get(_env_name(party))
        if token is None or not _works(store, token, party):
            token = issue_token(store, party.code, label="serve --demo-parties")
        out.append((party, token))
    _write_env(env, out, today, base)
    for party, token in out:
        revoke_tokens(store, party_code=party.code, keep=[token])
    return out


def _demo_subject(store: Store, today: date) -> str:
    """The demo subject registered before, else the first resident on no list today."""
    try:
        registered = get_party(store, "demo-subject")
    except NotFound:
        registered = None
    if registered is not None and registered.subject_id:
        return registered.subject_id
    from socialcredit.engine.evaluate import Evaluator
    from socialcredit.ids import IdScheme, parse_subject_id

    scheme = load_scheme("judgment-debtors")
    evaluator = Evaluator(scheme, store.effective(types=scheme.record_types()))
    for s in store.subjects():
        if parse_subject_id(s).scheme is IdScheme.RESIDENT_ID and not evaluator.result(s, today).active_entries:
            return s
    raise NotFound("no unlisted resident in the store to act as the demo subject")  # pragma: no cover


def _refused_applicant(store: Store, today: date) -> str | None:
    """The applicant the demo lender's scorecard refuses today (the first by number), if any: a person who finds
    themself refused, to sign in as."""
    from socialcredit.engine.evaluate import Evaluator

    scheme = load_scheme("german-credit")
    evaluator = Evaluator(scheme, store.effective(types=scheme.record_types()))
    for subject in evaluator.subjects():
        if evaluator.decide(subject, "credit_application", today).decision == "deny":
            return subject
    return None


def _works(store: Store, token: str, party: Party) -> bool:
    try:
        return authenticate(store, token).code == party.code
    except Unauthenticated:
        return False


def _env_name(party: Party) -> str:
    return party.code.removeprefix("demo-").replace("-", "_").upper()


def _read_env(path: Path) -> dict[str, str]:
    """``NAME=value`` lines of an env file written by :func:`_write_env` (missing or unreadable: none)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        name, _, value = line.removeprefix("export ").partition("=")
        if value:
            out[name.strip()] = value.strip()
    return out


def _write_env(path: Path, issued: list[tuple[Party, str]], today: date, base: str | None = None) -> None:
    """The tokens, the subject's id and the platform's today, for ``source``; replaced whole, readable only by
    its owner."""
    lines = [f"export SC={base}"] if base else []
    lines.append(f"export TODAY={today.isoformat()}")
    for party, token in issued:
        lines.append(f"export {_env_name(party)}={token}")
        if party.subject_id:
            lines.append(f"export {_env_name(party)}_ID={party.subject_id}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes, forked once the schemes are audited and the decision index built; they share "
            "the socket and the store, each committing its concurrent decisions together.",
        ),
    ] = 1,
    demo: Annotated[
        bool,
        typer.Option("--demo-parties", help="Register one party per role on the demo city and print their tokens."),
    ] = False,
    scheme: Annotated[
        list[str] | None,
        typer.Option(
            "--scheme",
            help="A scheme to put into operation: a shipped name or a YAML file; repeat for more. Default: the "
            "shipped operation schemes, each in the latest version an operator put into operation from the "
            "portal (/operator/schemes/audit) as the store records it, and any scheme added there; naming "
            "schemes here operates exactly those instead. Every scheme is audited at start-up: one whose rights "
            "audit finds an error is refused, and the service does not start.",
        ),
    ] = None,
) -> None:
    """Serve the HTTP API over the store (migrated first); OpenAPI at /openapi.json, docs at /docs.

    Schemes: the shipped ones, each in the latest version put into operation on the portal, unless --scheme names them.
    """
    import uvicorn

    from socialcredit.api import create_app

    schemes = operation_schemes(scheme) if scheme else None
    run = run_from(ctx)
    settings = run.settings
    console = Console()
    base = f"http://{host}:{port}"
    env = settings.data_dir / "demo-tokens.env"
    with run.open_store(job="serve") as store:
        store.migrate()
        issued = demo_parties(store, env, run.today(), base) if demo else []
    console.print(f"socialcredit service on {base}  (store {settings.store_url()})", highlight=False)
    console.print(f"  portal: {base}/   (Chinese and English; sign in with a token below)", highlight=False)
    console.print(f"  OpenAPI: {base}/openapi.json   docs: {base}/docs", highlight=False)
    if settings.today:
        console.print(
            f"  the clock is set: today is {run.today().isoformat()} (SOCIALCREDIT_TODAY={settings.today})",
            highlight=False,
        )
    if issued:
        for party, token in issued:
            bound = party.authority or party.subject_id or ", ".join(party.actions) or "-"
            console.print(f"  {party.code:<20} {party.role!s:<10} {bound:<40} {token}", highlight=False, soft_wrap=True)
        console.print(
            f"  tokens also in {env}: `source {env}` then e.g.\n"
            f'  curl -H "Authorization: Bearer $SUBJECT" $SC/v1/subjects/$SUBJECT_ID/file',
            highlight=False,
        )
    app = create_app(settings, clock=run.clock, schemes=schemes)
    recorded = {} if schemes else {op.scheme.label: op for op in latest_operated(app.state.platform.store)}
    for audit in app.state.platform.context.audits.values():
        name = audit.scheme.partition("@")[0]
        op = recorded.get(audit.scheme)
        since = f" (put into operation {op.operated_at.isoformat()} by {op.party})" if op else ""
        console.print(
            f"  scheme {audit.scheme}{since}: rights audit passed with {len(audit.warnings)} warnings, published at "
            f"{base}/v1/schemes/{name}/audit",
            highlight=False,
        )
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
    if workers > 1:
        from socialcredit.cli.prefork import serve_workers

        console.print(f"  {workers} server processes on one socket", highlight=False)
        serve_workers(app, app.state.platform.store.engine.dispose, host, port, workers)
        return
    uvicorn.run(app, host=host, port=port, log_level="info")


def operation_schemes(names_or_paths: list[str]) -> list[Scheme]:
    """The schemes named (shipped names or files), each loaded for operation: SchemeError naming the file, line,
    field and reason of every rights-audit error, and for a ``lab`` scheme, which is never put into operation."""
    schemes = []
    for name in names_or_paths:
        loaded = load_scheme(name)
        if loaded.purpose is not Purpose.OPERATION:
            raise SchemeError(
                [
                    Problem(
                        f"{loaded.label} is a {loaded.purpose} scheme: it is never put into operation",
                        "purpose",
                        file=name,
                    )
                ]
            )
        schemes.append(loaded)
    return schemes


def register(app: typer.Typer) -> None:
    """Attach serve."""
    app.command()(serve)
