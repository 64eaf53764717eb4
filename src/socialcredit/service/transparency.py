"""Transparency: the figures per list and period that anyone may see.

Per list, for a year (``2026``) or a month (``2026-06``): entries made, objections filed and upheld,
corrections, repairs applied and granted, and the median days to decide.

Counting entries folds every listing record of the period (at Rongcheng size a few hundred milliseconds), so
the figures of a period are kept and counted again only when the records or the cases change, another scheme
version is put into operation, or a day passes (the same :class:`~socialcredit.service.public_lists.State` as
the published lists; the audit log, which every read appends to, is not part of it).
"""

from __future__ import annotations

import copy
import statistics
import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from socialcredit.engine.lists import list_entries
from socialcredit.engine.population import Population
from socialcredit.errors import InputError, Problem
from socialcredit.service.context import Context, InOperation
from socialcredit.service.public_lists import State, read_state
from socialcredit.tables.service import cases_table

KEPT_PERIODS = 32
"""Periods whose figures are kept at most; the one asked for longest ago is dropped first."""


class Transparency:
    """The published figures."""

    def __init__(self, context: Context) -> None:
        self.context = context
        self._kept: dict[str, tuple[InOperation, State, dict[str, Any]]] = {}
        self._counting = threading.Lock()
        self.builds = 0
        """How many times figures were counted rather than served again (for tests)."""

    def figures(self, period: str) -> dict[str, Any]:
        """Published counts per list for a year (``2026``) or a month (``2026-06``)."""
        _period(period)
        operation = self.context.operation
        with self.context.read() as conn:
            state = read_state(conn, self.context.today(), {})
        kept = self._kept.get(period)
        if kept is None or kept[0] is not operation or kept[1] != state:
            with self._counting:
                kept = self._kept.get(period)
                if kept is None or kept[0] is not operation or kept[1] != state:
                    kept = (operation, state, self._count(operation, period))
                    self.builds += 1
                    self._kept.pop(period, None)
                    self._kept[period] = kept
                    while len(self._kept) > KEPT_PERIODS:
                        self._kept.pop(next(iter(self._kept)))
        return copy.deepcopy(kept[2])

    def _count(self, operation: InOperation, period: str) -> dict[str, Any]:
        start, end = _period(period)
        lists: dict[tuple[str, str], dict[str, Any]] = {}
        for s in operation.schemes:
            for rule in s.lists:
                lists[(s.scheme, rule.id)] = {
                    "scheme": s.label,
                    "list_id": rule.id,
                    "name": rule.name,
                    "public": rule.public,
                    "entries_made": 0,
                    "objections_filed": 0,
                    "objections_upheld": 0,
                    "corrections": 0,
                    "repairs_applied": 0,
                    "repairs_granted": 0,
                    "median_days_to_decide": None,
                    "_days": [],
                }
            entry_types = {rule.entry.record_type for rule in s.lists}
            if not entry_types:
                continue
            records = [r for r in self.context.store.effective(types=entry_types) if start <= r.occurred_at < end]
            if not records:
                continue
            population = Population(records)
            for rule in s.lists:
                for subject_id in population.subjects():
                    for e in list_entries(rule, subject_id, population.records_of(subject_id), end - timedelta(1)):
                        if start <= e.start < end:
                            lists[(s.scheme, rule.id)]["entries_made"] += 1
        begin = datetime(start.year, start.month, start.day, tzinfo=UTC)
        finish = datetime(end.year, end.month, end.day, tzinfo=UTC)
        with self.context.read() as conn:
            rows = conn.execute(select(cases_table)).all()
        for row in rows:
            list_id = (row.target or {}).get("list_id")
            bucket = lists.get((row.scheme, list_id)) if list_id else None
            if bucket is None:
                continue
            if begin <= row.filed_at < finish:
                if row.kind == "objection":
                    bucket["objections_filed"] += 1
                else:
                    bucket["repairs_applied"] += 1
            if row.decided_at is not None and begin <= row.decided_at < finish:
                bucket["_days"].append((row.decided_at - row.filed_at).total_seconds() / 86400)
                if row.kind == "objection" and row.status == "upheld":
                    bucket["objections_upheld"] += 1
                    if row.correction:
                        bucket["corrections"] += 1
                if row.kind == "repair" and row.status == "granted":
                    bucket["repairs_granted"] += 1
        out = []
        for bucket in lists.values():
            days = bucket.pop("_days")
            bucket["median_days_to_decide"] = round(statistics.median(days), 1) if days else None
            out.append(bucket)
        return {"period": period, "from": start.isoformat(), "until": end.isoformat(), "lists": out}


def current_period(today: date) -> str:
    """The period a figures page shows when none is asked for: the calendar year of ``today``."""
    return f"{today.year:04d}"


def _period(text: str) -> tuple[date, date]:
    try:
        if len(text) == 4 and text.isdigit():
            year = int(text)
            if not 1900 <= year <= 2999:
                raise ValueError
            return date(year, 1, 1), date(year + 1, 1, 1)
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
            year, month = int(text[:4]), int(text[5:])
            if not 1900 <= year <= 2999 or not 1 <= month <= 12:
                raise ValueError
            start = date(year, month, 1)
            end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
            return start, end
    except ValueError:
        pass
    raise InputError([Problem("expected a year (2026) or a month (2026-06)", "period", text)])
