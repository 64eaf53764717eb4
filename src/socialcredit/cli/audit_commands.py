"""``socialcredit audit``: verify the tamper-evident log, show who read or wrote a subject's file, print the head.

The audit key (HMAC of checkpoints) comes from ``SOCIALCREDIT_AUDIT_KEY`` or ``SOCIALCREDIT_AUDIT_KEY_FILE``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from socialcredit.audit import TreeHead, subject_history, verify_store
from socialcredit.cli.context import open_store_from
from socialcredit.errors import InputError, Problem
from socialcredit.store import Store

audit_app = typer.Typer(help="The tamper-evident audit log of every write and read.", no_args_is_help=True)

_SHOWN_PROBLEMS = 20


def _open(ctx: typer.Context) -> Store:
    return open_store_from(ctx)


def _witness(text: str, where: str) -> TreeHead:
    size, _, root = text.strip().partition(":")
    try:
        head = TreeHead(int(size), bytes.fromhex(root))
    except ValueError:
        head = None
    if head is None or head.size < 0 or len(head.root) != 32:
        raise InputError([Problem("expected SIZE:ROOT (a tree size and a 64-digit hex root)", where, text)])
    return head


def _witnesses(texts: list[str], files: list[Path]) -> list[TreeHead]:
    heads = [_witness(text, "--witness") for text in texts]
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise InputError([Problem(f"cannot read: {exc.strerror}", "--witness-file", str(path))]) from exc
        for number, line in enumerate(lines, start=1):
            # `audit head` prints SIZE:ROOT, then a line about the checkpoint: keep the first kind only.
            if WITNESS_LINE.match(line.strip()):
                heads.append(_witness(line, f"--witness-file {path}, line {number}"))
    return heads


WITNESS_LINE = re.compile(r"^\d+:[0-9a-fA-F]{64}$")


@audit_app.command("verify")
def verify(
    ctx: typer.Context,
    witness: Annotated[
        list[str] | None,
        typer.Option(
            "--witness",
            help="A tree head held outside the database (SIZE:ROOT, from `audit head`): it must be a prefix of "
            "the log; catches truncation of leaves together with their checkpoints. Repeat for several.",
        ),
    ] = None,
    witness_file: Annotated[
        list[Path] | None,
        typer.Option("--witness-file", help="A file of SIZE:ROOT lines (e.g. `audit head` output appended to it)."),
    ] = None,
    records: Annotated[
        bool, typer.Option("--records/--no-records", help="Also check every stored record and batch row.")
    ] = True,
) -> None:
    """Recompute the log from its leaves; exit 0 with a summary when intact, 1 naming the first problem."""
    heads = _witnesses(witness or [], witness_file or [])
    with _open(ctx) as store:
        report = verify_store(store, witnesses=heads, records=records)
    console = Console(highlight=False)
    if report.ok:
        console.print(f"audit log intact: {report.summary()}", soft_wrap=True)
        return
    err = Console(stderr=True, highlight=False)
    err.print(f"audit log TAMPERED: {report.problems[0]}", soft_wrap=True)
    for problem in report.problems[1:_SHOWN_PROBLEMS]:
        err.print(f"  also: {problem}", soft_wrap=True)
    if len(report.problems) > _SHOWN_PROBLEMS:
        err.print(f"  ... and {len(report.problems) - _SHOWN_PROBLEMS} more")
    err.print(f"checked: {report.summary()}", soft_wrap=True)
    raise typer.Exit(1)


@audit_app.command("show")
def show(
    ctx: typer.Context,
    subject: Annotated[str, typer.Option("--subject", help="The subject's identifier.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line instead of a table.")] = False,
) -> None:
    """Who read or wrote a subject's file, and when (oldest first)."""
    with _open(ctx) as store:
        rows = subject_history(store, subject)
    console = Console(highlight=False)
    if as_json:
        for row in rows:
            console.print(
                json.dumps(
                    {
                        "seq": row.seq,
                        "at": row.recorded_at.isoformat(),
                        "actor": row.actor,
                        "action": row.action,
                        "object": row.object_ref,
                        "detail": row.detail,
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                ),
                soft_wrap=True,
            )
        return
    if not rows:
        console.print(f"no audited access to the file of {subject}")
        return
    table = Table(title=f"audit trail of {subject}")
    for name in ("seq", "when (UTC)", "actor", "action", "object", "detail"):
        table.add_column(name)
    for row in rows:
        detail = row.detail or {}
        note = detail.get("purpose") or detail.get("outcome") or detail.get("content_hash", "")[:12]
        table.add_row(
            str(row.seq),
            row.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            row.actor,
            row.action,
            row.object_ref or "",
            str(note),
        )
    console.print(table)


@audit_app.command("head")
def head(ctx: typer.Context) -> None:
    """The latest signed tree head (SIZE:ROOT, time, key, MAC): keep it outside the database as a witness."""
    with _open(ctx) as store, store.read_snapshot() as conn:
        checkpoint = store.audit_log.latest_checkpoint(conn)
    console = Console(highlight=False)
    if checkpoint is None:
        console.print("the audit log is empty")
        return
    console.print(f"{checkpoint.tree_size}:{checkpoint.root_hash}", soft_wrap=True)
    console.print(
        f"checkpoint {checkpoint.seq} at {checkpoint.created_at.isoformat()} key {checkpoint.key_id} "
        f"mac {checkpoint.mac}",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Attach the ``audit`` group."""
    app.add_typer(audit_app, name="audit")
