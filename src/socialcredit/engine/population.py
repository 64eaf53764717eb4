"""The records an evaluation sees, indexed by subject and by link."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from socialcredit.records import Record
from socialcredit.scheme.model import Link


def record_order(record: Record) -> tuple[date, str, str]:
    """The one order in which a subject's records are applied: day, then authority, then record id."""
    return (record.occurred_at, record.authority, record.record_id)


@lru_cache(maxsize=1 << 20)
def subject_kind(subject_id: str) -> str:
    """``person`` or ``organization``, from the identifier's form."""
    from socialcredit.ids import parse_subject_id

    return str(parse_subject_id(subject_id).kind)


class Population:
    """Records grouped by subject in application order, with reverse indexes for links."""

    def __init__(self, records: Iterable[Record]) -> None:
        grouped: dict[str, list[Record]] = defaultdict(list)
        for record in records:
            grouped[record.subject_id].append(record)
        for recs in grouped.values():
            recs.sort(key=record_order)
        self._by_subject: dict[str, list[Record]] = dict(grouped)
        self._link_index: dict[tuple[str, str], dict[str, set[str]]] = {}

    def subjects(self) -> list[str]:
        """Every subject with at least one record, sorted."""
        return sorted(self._by_subject)

    def records_of(self, subject_id: str) -> list[Record]:
        """A subject's records in application order."""
        return self._by_subject.get(subject_id, [])

    def linking_subjects(self, link: Link, target: str) -> set[str]:
        """Subjects that have ever named ``target`` through ``link`` (check the date with link_target)."""
        index_key = (link.record_type, link.attribute)
        index = self._link_index.get(index_key)
        if index is None:
            index = defaultdict(set)
            for subject, recs in self._by_subject.items():
                for r in recs:
                    if r.type == link.record_type:
                        value = r.attributes.get(link.attribute)
                        if isinstance(value, str):
                            index[value].add(subject)
            self._link_index[index_key] = index
        return index.get(target, set())

    def link_targets(self, link: Link) -> set[str]:
        """Every subject ever named through ``link``."""
        self.linking_subjects(link, "")
        return set(self._link_index[(link.record_type, link.attribute)])

    def link_target(self, link: Link, subject_id: str, day: date) -> str | None:
        """Whom ``subject_id`` names through ``link`` on ``day``: the latest such record on or before it."""
        target = None
        for r in self.records_of(subject_id):
            if r.occurred_at > day:
                break
            if r.type == link.record_type:
                value = r.attributes.get(link.attribute)
                target = value if isinstance(value, str) else None
        return target
