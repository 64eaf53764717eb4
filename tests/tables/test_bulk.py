"""The driver's bulk path stores exactly what SQLAlchemy's insert stores, and fails as SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from socialcredit.store import Store
from socialcredit.tables.bulk import JsonText, bulk_insert
from socialcredit.tables.records import authorities_table, batches_table, records_table

AT = datetime(2026, 12, 7, 8, 30, 15, 123456, tzinfo=UTC)
COLUMNS = (
    "id", "authority", "record_id", "subject_id", "subject_kind", "type", "occurred_at", "attributes",
    "legal_basis", "source_ref", "supersedes", "revoked", "recorded_at", "batch_id", "content_hash", "region",
)  # fmt: skip

CASES: list[tuple[str, dict[str, Any]]] = [
    ("plain", {"attributes": {"amount": 5000, "case": "（2024）鲁1002执1号"}, "revoked": False}),
    ("nulls and true", {"legal_basis": None, "source_ref": None, "revoked": True, "attributes": {}}),
    ("nested and floats", {"attributes": {"rate": 0.125, "list": [1, "二", None], "deep": {"b": 1, "a": 2}}}),
    ("another zone", {"recorded_at": datetime(2026, 1, 1, 23, 0, tzinfo=timezone(timedelta(hours=8)))}),
    ("early date", {"occurred_at": date(999, 1, 2)}),
    ("quotes and escapes", {"legal_basis": 'a "b"\\c\ttab', "attributes": {'k"': "\n\u2028"}}),
]


def _row(n: int, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": n,
        "authority": "court",
        "record_id": f"r-{n}",
        "subject_id": f"37100219900101{n:04d}",
        "subject_kind": "person",
        "type": "court.judgment_debtor",
        "occurred_at": date(2024, 3, 1),
        "attributes": {"amount": 1},
        "legal_basis": "法释〔2017〕7号",
        "source_ref": "ref",
        "supersedes": None,
        "revoked": False,
        "recorded_at": AT,
        "batch_id": 1,
        "content_hash": f"{n:064x}",
        "region": "37",
    }
    row.update(changes)
    return row


def _prepare(store: Store) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            insert(authorities_table).values(
                code="court", name="court", jurisdiction="371002", competences=[], created_at=AT, region="37"
            )
        )
        conn.execute(
            insert(batches_table).values(
                authority="court", source="s", file_sha256=None, record_count=0, recorded_at=AT
            )
        )


def _stored(store: Store, n: int) -> tuple[Any, ...]:
    """The row as the database holds it, every column as text (what a reader of either path gets back)."""
    casts = ", ".join(f"CAST({c} AS TEXT)" for c in COLUMNS)
    with store.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT {casts} FROM records WHERE id = :n"), {"n": n}).one())


@pytest.mark.parametrize(("name", "changes"), CASES, ids=[c[0] for c in CASES])
def test_bulk_rows_are_stored_as_sqlalchemy_stores_them(store: Store, name: str, changes: dict[str, Any]) -> None:
    _prepare(store)
    through_sqlalchemy, through_bulk = _row(1, **changes), _row(2, **changes)
    with store.engine.begin() as conn:
        conn.execute(insert(records_table), [through_sqlalchemy])
        assert bulk_insert(conn, records_table, COLUMNS, [tuple(through_bulk[c] for c in COLUMNS)]) == 1
    ours, theirs = _stored(store, 2), _stored(store, 1)
    differs = {c: (a, b) for c, a, b in zip(COLUMNS, ours, theirs, strict=True) if a != b}
    assert set(differs) <= {"id", "record_id", "subject_id", "content_hash"}
    with store.engine.connect() as conn:
        read = conn.execute(select(records_table).order_by(records_table.c.id)).all()
    first, second = (r._asdict() for r in read)
    assert {k: v for k, v in second.items() if k not in ("id", "record_id", "subject_id", "content_hash")} == {
        k: v for k, v in first.items() if k not in ("id", "record_id", "subject_id", "content_hash")
    }


def test_json_text_is_stored_as_given_and_reads_back(store: Store) -> None:
    _prepare(store)
    with store.engine.begin() as conn:
        row = _row(1, attributes=JsonText('{"a":"é","b":[1,2]}'))
        bulk_insert(conn, records_table, COLUMNS, [tuple(row[c] for c in COLUMNS)])
    with store.engine.connect() as conn:
        assert conn.execute(select(records_table.c.attributes)).scalar_one() == {"a": "é", "b": [1, 2]}


def test_a_violated_constraint_is_sqlalchemys_integrity_error_and_nothing_stays(store: Store) -> None:
    _prepare(store)
    rows = [tuple(_row(n, record_id="same")[c] for c in COLUMNS) for n in (1, 2)]
    with pytest.raises(IntegrityError), store.engine.begin() as conn:
        bulk_insert(conn, records_table, COLUMNS, rows)
    with store.engine.connect() as conn:
        assert conn.execute(select(records_table.c.id)).all() == []


@pytest.mark.parametrize(
    ("row", "error"),
    [
        ((1, 2), "a row of 2 values for 16 columns"),
        (tuple(_row(1, recorded_at=datetime(2026, 1, 1))[c] for c in COLUMNS), "naive datetime"),
    ],
)
def test_a_malformed_row_is_refused(store: Store, row: tuple[Any, ...], error: str) -> None:
    _prepare(store)
    with pytest.raises(ValueError, match=error), store.engine.begin() as conn:
        bulk_insert(conn, records_table, COLUMNS, [row])
