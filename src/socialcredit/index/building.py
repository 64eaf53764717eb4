"""Building the decision index's arrays: from records, from an entry table, or from bare arrays.

Semantics are the pure engine's (:class:`socialcredit.engine.Evaluator`) for list-based measures: a row is
built from :func:`socialcredit.engine.lists.list_entries` over all of a subject's records (an entry's
activity on a day does not depend on records after that day, so the final intervals answer every day), and
an organization's entry reaches the subject its link names on the day (:func:`socialcredit.index.links.reach`).
The vectorised build from Arrow tables is :mod:`socialcredit.index.arrow`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

import numpy as np

from socialcredit.engine.lists import list_entries
from socialcredit.engine.population import Population, record_order, subject_kind
from socialcredit.index import keys as K
from socialcredit.index.layout import Layout, stack_rows
from socialcredit.index.links import NO_TARGET, LinkTable, reach
from socialcredit.index.profiles import ProfileTable
from socialcredit.index.rows import Row, clamp_start, end_number, ref_bytes, row_order
from socialcredit.index.subjects import SubjectKeys
from socialcredit.records import Record
from socialcredit.scheme.model import Scheme

_FAR = date(9999, 12, 31)
"""The day up to which a build asks for list entries: every entry's final interval."""

Change = tuple[str, int, int, str | None]
"""A link change point by text: (holder, link number, day number, target or None)."""


class Built(NamedTuple):
    """What a build or a load makes: the parts a :class:`~socialcredit.index.DecisionIndex` composes."""

    profiles: ProfileTable
    layout: Layout
    links: LinkTable
    subjects: SubjectKeys


def from_records(scheme: Scheme, records: Iterable[Record]) -> Built:
    """Build from the records in force (a record file's, or the store's ``effective_records``).

    Entries are the pure engine's (:func:`list_entries` per list and subject); links are followed as
    :meth:`Population.link_target` follows them: the latest link record on or before a day names the target,
    a non-text value names nobody.
    """
    table = ProfileTable.of(scheme)
    population = records if isinstance(records, Population) else Population(records)
    rows: list[tuple[str, Row]] = []
    changes: list[Change] = []
    for subject in population.subjects():
        own, points = subject_rows(scheme, table, subject, population.records_of(subject))
        rows += [(subject, r) for r in own]
        changes += [(subject, number, day, target) for number, pts in enumerate(points) for day, target in pts]
    return from_rows(table, rows, changes)


def from_store(scheme: Scheme, store: object, known_at: object = None) -> Built:
    """Build from the store: the records in force as known at ``known_at`` (now when None), of the record
    types the scheme reads."""
    from socialcredit.records import effective_records

    versions = store.load_records(types=scheme.record_types(), known_at=known_at)  # type: ignore[attr-defined]
    return from_records(scheme, effective_records(versions, known_at))  # type: ignore[arg-type]


def from_entries(
    scheme: Scheme,
    entries: Iterable[tuple[str, str, str | None, date, date | None]],
    links: Iterable[tuple[str, str, date, str | None]] = (),
) -> Built:
    """Build from an entry table (an engine's output, or a Parquet file read by the caller).

    ``entries``: (subject_id, list_id, entry_key, start, end or None) — end exclusive;
    ``links``: (holder subject_id, link_id, day, target subject_id or None) change points, in order.
    """
    table = ProfileTable.of(scheme)
    rows = []
    for subject, list_id, key, start, end in entries:
        s, e = clamp_start(start), end_number(end)
        if s < e:
            rows.append((subject, Row(s, e, table.profile_id(list_id, subject_kind(subject)), key)))
    changes = [
        (holder, table.links.index(link_id), clamp_start(day), target)
        for holder, link_id, day, target in links
        if link_id in table.links
    ]
    return from_rows(table, rows, changes)


def from_arrays(scheme: Scheme, keys: np.ndarray, start: np.ndarray, end: np.ndarray, profile: np.ndarray) -> Built:
    """Build from bare arrays of packed subject keys and rows (no references, no links): for benchmarks and
    for loaders that produce keys themselves. Rows need not be sorted."""
    layout = Layout.of(K.mix_array(keys), stack_rows(start, end, profile), None, None)
    return Built(ProfileTable.of(scheme), layout, LinkTable.empty(), SubjectKeys())


def from_rows(table: ProfileTable, rows: list[tuple[str, Row]], changes: list[Change]) -> Built:
    """Build from subjects' own rows and their links' change points: linked rows are materialised here."""
    subjects = SubjectKeys()
    holders: dict[tuple[str, int], list[tuple[int, str | None]]] = {}
    for holder, number, day, target in changes:
        points = holders.setdefault((holder, number), [])
        if points and points[-1][0] == day:
            points[-1] = (day, target)  # the last record of a day stands
        else:
            points.append((day, target))
    own: dict[str, list[Row]] = {}
    for subject, row in rows:
        own.setdefault(subject, []).append(row)
    linked: list[tuple[str, Row]] = []
    for (holder, number), points in holders.items():
        linked += reach(table, subjects, holder, own.get(holder, []), number, points)
    # Keys are given in this order (own rows, linked rows, links) so that hashed keys probe as they always did.
    every = [(subjects.key(s, add=True), s, r) for s, rs in own.items() for r in rs]
    every += [(subjects.key(t, add=True), t, r) for t, r in linked]
    link_rows = [
        (subjects.key(holder, add=True), number, day, NO_TARGET if t is None else np.uint64(subjects.key(t, add=True)))
        for (holder, number), points in holders.items()
        for day, t in points
    ]
    return Built(table, laid_out(every), LinkTable.of(link_rows), subjects)


def laid_out(every: list[tuple[int, str, Row]]) -> Layout:
    """The layout of rows (subject key, subject, row), with their references."""
    every = sorted(every, key=lambda x: (x[0], row_order(x[2])))
    n = len(every)
    refs = [ref_bytes(r) for _, _, r in every]
    offsets = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(np.fromiter((len(b) for b in refs), dtype=np.int64, count=n), out=offsets[1:])
    return Layout.of(
        K.mix_array(np.array([k for k, _, _ in every], dtype=np.uint64)),
        stack_rows(
            np.fromiter((r.start for _, _, r in every), dtype=np.uint16, count=n),
            np.fromiter((r.end for _, _, r in every), dtype=np.uint16, count=n),
            np.fromiter((r.profile for _, _, r in every), dtype=np.uint16, count=n),
        ),
        offsets,
        np.frombuffer(b"".join(refs), dtype=np.uint8),
    )


def subject_rows(
    scheme: Scheme, table: ProfileTable, subject: str, records: Sequence[Record]
) -> tuple[list[Row], list[list[tuple[int, str | None]]]]:
    """A subject's own rows (the engine's list entries) and, per link, its change points (the last of a day)."""
    kind = subject_kind(subject)
    own: list[Row] = []
    for rule in scheme.lists:
        if kind not in {str(k) for k in rule.subject_kinds}:
            continue
        pid = table.profile_id(rule.id, kind)
        for e in list_entries(rule, subject, records, _FAR):
            start, end = clamp_start(e.start), end_number(e.end)
            if start < end:
                own.append(Row(start, end, pid, e.key))
    points: list[list[tuple[int, str | None]]] = []
    for link_id in table.links:
        link = scheme.link(link_id)
        found: list[tuple[int, str | None]] = []
        for r in sorted(records, key=record_order):
            if r.type == link.record_type:
                value = r.attributes.get(link.attribute)
                day = clamp_start(r.occurred_at)
                if found and found[-1][0] == day:
                    found.pop()
                found.append((day, value if isinstance(value, str) else None))
        points.append(found)
    return own, points
