"""The platform's clock: the wall clock, or the wall clock moved to another day.

Due process runs on the calendar: an objection left undecided past its deadline suspends the entry at 00:00 China
Standard Time the day after; a two-year entry ends on its day. ``SOCIALCREDIT_TODAY`` (or ``--today`` before any
command) moves the clock to another day, ``YYYY-MM-DD`` or ``+N`` days from today, for ``serve``, ``explain``,
``decide``, ``score``, ``ingest`` and every other job: the time of day keeps running, only the day moves, so an
operator can show what the platform does when the days pass without anyone acting.

Two rules keep the store's history honest. A clock that is set is written in the audit log by every job that
opens the store (``clock.set``: the day, the offset, the job). And no job runs on a clock earlier than the store's
last write (by more than :data:`TOLERANCE`): a write stamped before an earlier one would make "as known at"
answer wrongly. Move the clock forward only, or start a new store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from socialcredit.dates import CHINA_STANDARD_TIME, utc_now
from socialcredit.errors import ConfigurationError, InputError, Problem
from socialcredit.settings import Settings

if TYPE_CHECKING:
    from socialcredit.store import Store

Clock = Callable[[], datetime]

TOLERANCE = timedelta(hours=1)
"""How far behind the store's last write a clock may be (servers' clocks differ by seconds, not hours)."""

_RELATIVE = re.compile(r"[+-][0-9]{1,6}")


def target_day(text: str, today: date) -> date:
    """The day ``SOCIALCREDIT_TODAY`` names: ``YYYY-MM-DD``, or ``+N`` / ``-N`` days from ``today``."""
    if _RELATIVE.fullmatch(text):
        return today + timedelta(days=int(text))
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(
            [Problem("expected a day YYYY-MM-DD or +N days from today", "SOCIALCREDIT_TODAY", text)]
        ) from None


def clock_from(settings: Settings, wall: Clock = utc_now) -> Clock:
    """The wall clock, moved to the day ``settings.today`` names (the time of day unchanged)."""
    if not settings.today:
        return wall
    now = wall()
    offset = timedelta(days=(target_day(settings.today, now.astimezone(CHINA_STANDARD_TIME).date()) - _day(now)).days)

    def moved() -> datetime:
        return wall() + offset

    return moved


def _day(at: datetime) -> date:
    return at.astimezone(CHINA_STANDARD_TIME).date()


def check_and_note(store: Store, settings: Settings, clock: Clock, *, job: str) -> None:
    """Refuse a clock behind the store's last write; write a set clock in the audit log. Call when a job opens
    the store (the store must be migrated)."""
    # Here, not at the top: every command builds a clock, and a job that never opens the store (scoring a file)
    # should not pay for loading the store's libraries.
    from sqlalchemy import select

    from socialcredit.audit import Entry
    from socialcredit.tables.audit import audit_leaves_table

    now = clock()
    t = audit_leaves_table
    with store.read_snapshot() as conn:
        last = conn.execute(select(t.c.recorded_at).order_by(t.c.seq.desc()).limit(1)).scalar_one_or_none()
    if last is not None and now < last - TOLERANCE:
        raise ConfigurationError(
            f"the clock says {now.isoformat(timespec='seconds')}, but the store's last write was at "
            f"{last.isoformat(timespec='seconds')}: a write stamped earlier would make 'as known at' answer "
            f"wrongly. Set SOCIALCREDIT_TODAY to {_day(last).isoformat()} or later (or --today)"
        )
    if not settings.today:
        return
    offset = (_day(now) - _day(utc_now())).days
    entry = Entry(
        actor="operator:clock",
        action="clock.set",
        detail={"today": _day(now).isoformat(), "offset_days": offset, "setting": settings.today, "job": job[:64]},
    )
    with store.write_transaction() as conn:
        store.audit_log.append(conn, [entry])
