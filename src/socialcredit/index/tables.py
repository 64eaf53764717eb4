"""Entry and link tables in Parquet: what a batch engine hands the decision index (pyarrow, the ``batch`` extra).

entries: ``subject_id`` (text), ``list_id`` (text), ``entry_key`` (text, may be null), ``start`` (date),
``end`` (date, exclusive; null while the entry lasts until exit).
links: ``holder_id``, ``link_id``, ``day`` (date), ``target_id`` (text; null names nobody), one row per link
record in application order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path

from socialcredit.errors import InputError, Problem

ENTRY_COLUMNS = ("subject_id", "list_id", "entry_key", "start", "end")
LINK_COLUMNS = ("holder_id", "link_id", "day", "target_id")

EntryRow = tuple[str, str, str | None, date, date | None]
LinkRow = tuple[str, str, date, str | None]


def _pyarrow():  # type: ignore[no-untyped-def]
    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - depends on the installed extras
        raise InputError(
            [Problem(field="--entries", reason="reading Parquet needs pyarrow: pip install 'socialcredit[batch]'")]
        ) from None
    return pq


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    pq = _pyarrow()
    table = pq.read_table(path)
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise InputError([Problem(file=str(path), field=missing[0], reason=f"missing column(s) {', '.join(missing)}")])
    values = [table.column(c).to_pylist() for c in columns]
    rows = list(zip(*values, strict=True))
    for i, row in enumerate(rows, start=1):
        for name, v in zip(columns, row, strict=True):
            if isinstance(v, str) and name in ("start", "end", "day"):
                raise InputError([Problem(file=str(path), row=i, field=name, value=v, reason="expected a date column")])
    return rows


def read_arrow_tables(entries: Path, links: Path | None = None) -> tuple[object, object | None]:
    """The entry table and (optionally) the link table as Arrow tables, columns checked (for
    :meth:`DecisionIndex.from_arrow`, the vectorised build)."""
    pq = _pyarrow()
    out = []
    for path, columns in ((entries, ENTRY_COLUMNS), (links, LINK_COLUMNS)):
        if path is None:
            out.append(None)
            continue
        table = pq.read_table(path)
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise InputError(
                [Problem(file=str(path), field=missing[0], reason=f"missing column(s) {', '.join(missing)}")]
            )
        for c in ("start", "end", "day"):
            if c in columns and str(table.schema.field(c).type) != "date32[day]":
                raise InputError([Problem(file=str(path), field=c, reason="expected a date column (date32)")])
        out.append(table.select(list(columns)))
    return out[0], out[1]


def read_parquet_tables(entries: Path, links: Path | None = None) -> tuple[list[EntryRow], list[LinkRow]]:
    """The rows of an entry table and (optionally) a link table."""
    entry_rows = _read(entries, ENTRY_COLUMNS)
    link_rows = _read(links, LINK_COLUMNS) if links is not None else []
    return entry_rows, link_rows  # type: ignore[return-value]


def write_parquet_tables(
    entries: Iterable[EntryRow], links: Iterable[LinkRow], entries_path: Path, links_path: Path | None = None
) -> None:
    """Write entry (and link) rows as Parquet tables."""
    import pyarrow as pa

    pq = _pyarrow()
    e = list(entries)
    pq.write_table(
        pa.table({c: pa.array([r[i] for r in e], type=column_type(c)) for i, c in enumerate(ENTRY_COLUMNS)}),
        entries_path,
    )
    if links_path is not None:
        rows = list(links)
        pq.write_table(
            pa.table({c: pa.array([r[i] for r in rows], type=column_type(c)) for i, c in enumerate(LINK_COLUMNS)}),
            links_path,
        )


def column_type(column: str):  # type: ignore[no-untyped-def]
    """The Arrow type of an entry or link table column: days are dates, the rest text."""
    import pyarrow as pa

    return pa.date32() if column in ("start", "end", "day") else pa.string()


def engine_tables(scheme, records) -> tuple[list[EntryRow], list[LinkRow]]:  # type: ignore[no-untyped-def]
    """The entry and link tables the pure engine gives for ``records`` (the reference a batch engine matches)."""
    from socialcredit.engine.lists import list_entries
    from socialcredit.engine.population import Population, subject_kind

    population = Population(records)
    far = date(9999, 12, 31)
    entry_rows: list[EntryRow] = []
    link_rows: list[LinkRow] = []
    link_ids = {m.applies_to for m in scheme.measures if m.applies_to != "subject"}
    for subject in population.subjects():
        recs = population.records_of(subject)
        kind = subject_kind(subject)
        for rule in scheme.lists:
            if kind in {str(k) for k in rule.subject_kinds}:
                entry_rows += [
                    (subject, rule.id, e.key, e.start, e.end) for e in list_entries(rule, subject, recs, far)
                ]
        for link in scheme.links:
            if link.id not in link_ids:
                continue
            for r in recs:
                if r.type == link.record_type:
                    value = r.attributes.get(link.attribute)
                    link_rows.append((subject, link.id, r.occurred_at, value if isinstance(value, str) else None))
    return entry_rows, link_rows
