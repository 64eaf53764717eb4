"""Notices: an outbox in the store, and pluggable senders that deliver it.

A notice is written in the same transaction as the change it announces (a listing, an adverse record, an
objection received or decided, a correction that affects a decision a party received), so none is lost; a
sender delivers unsent notices afterwards and stamps them sent. Two senders ship: the console (one JSON line per
notice on standard error) and a file (JSON lines appended). Anything with a ``send(notice)`` method will do.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Connection, insert, select, update

from socialcredit.tables.service import notices_table


class Sender(Protocol):
    """Delivers one notice (plain data: id, recipient_kind, recipient, kind, subject_id, body, created_at)."""

    def send(self, notice: dict[str, Any]) -> None: ...


class ConsoleSender:
    """Writes each notice as one JSON line to standard error."""

    def send(self, notice: dict[str, Any]) -> None:
        print(json.dumps(notice, ensure_ascii=False, default=str), file=sys.stderr, flush=True)


class FileSender:
    """Appends each notice as one JSON line to a file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def send(self, notice: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(notice, ensure_ascii=False, default=str) + "\n")


class MemorySender:
    """Keeps notices in a list (tests)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send(self, notice: dict[str, Any]) -> None:
        self.sent.append(notice)


def enqueue(
    conn: Connection,
    *,
    recipient_kind: str,
    recipient: str,
    kind: str,
    subject_id: str | None,
    body: dict[str, Any],
    at: datetime,
) -> None:
    """Put one notice in the outbox (inside the caller's transaction)."""
    conn.execute(
        insert(notices_table).values(
            recipient_kind=recipient_kind,
            recipient=recipient,
            kind=kind,
            subject_id=subject_id,
            body=body,
            created_at=at,
            sent_at=None,
        )
    )


def notice_to_dict(row: Any) -> dict[str, Any]:
    """A stored notice as plain data."""
    return {
        "id": row.id,
        "recipient_kind": row.recipient_kind,
        "recipient": row.recipient,
        "kind": row.kind,
        "subject_id": row.subject_id,
        "body": row.body,
        "created_at": row.created_at.isoformat(),
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
    }


def dispatch(
    transaction: Callable[[], Any], sender: Sender, at: datetime, *, limit: int = 1000
) -> int:
    """Send up to ``limit`` unsent notices, oldest first, stamping them sent; returns how many were sent.

    A notice whose sending fails stays unsent (it is tried again next time) and stops this round. Notices sent
    are stamped a hundred to a transaction: a crash between sending and stamping sends those again, so a
    recipient may see a notice twice but never misses one.
    """
    t = notices_table
    with transaction() as conn:
        rows = conn.execute(select(t).where(t.c.sent_at.is_(None)).order_by(t.c.id).limit(limit)).all()
    sent: list[int] = []
    try:
        for row in rows:
            try:
                sender.send(notice_to_dict(row))
            except Exception:
                break
            sent.append(row.id)
            if len(sent) % _STAMP_EVERY == 0:
                _stamp(transaction, sent[-_STAMP_EVERY:], at)
    finally:
        if len(sent) % _STAMP_EVERY:
            _stamp(transaction, sent[-(len(sent) % _STAMP_EVERY) :], at)
    return len(sent)


_STAMP_EVERY = 100


def _stamp(transaction: Callable[[], Any], ids: list[int], at: datetime) -> None:
    t = notices_table
    with transaction() as conn:
        conn.execute(update(t).where(t.c.id.in_(ids), t.c.sent_at.is_(None)).values(sent_at=at))
