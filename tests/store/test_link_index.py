"""The subjects naming a person through a link are found by an index on the value named (migration 0010), on
both stores, and the answer is the one reading every link record gives."""

from __future__ import annotations

from sqlalchemy import select, text

from socialcredit.authorities import Authority
from socialcredit.store import Store
from socialcredit.tables.records import linked_value, records_table
from tests.factories import organization, person, record

LINK = ("registry.legal_representative", "person_id")


def add_links(store: Store) -> None:
    store.add_authority(Authority("RC-SAMR", "registry", "371082", ("registry.*",)))
    rows = [record(organization(n), LINK[0], "2020-01-01", person_id=person(n % 3 + 1)) for n in range(1, 10)]
    rows.append(record(organization(20), "registry.registered", "2020-01-01", name="x", entity_type="y"))
    store.add_records("RC-SAMR", rows, source="t")


def test_naming_by_the_index_is_naming_by_reading_every_record(store: Store) -> None:
    add_links(store)
    for n in range(3):
        expected = {organization(k) for k in range(1, 10) if k % 3 == n}
        assert store.naming(*LINK, {person(n + 1)}) == expected
    assert store.naming(*LINK, {person(1), person(2)}) == store.naming(*LINK, {person(1)}) | store.naming(
        *LINK, {person(2)}
    )
    assert store.naming(*LINK, {person(7)}) == set()


def test_the_query_uses_the_link_index(store: Store) -> None:
    add_links(store)
    t = records_table
    with store.engine.connect() as conn:
        value = linked_value(LINK[1])
        query = select(t.c.subject_id).where(t.c.type == LINK[0], value.in_([person(1)]))
        sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(row) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
            assert "ix_records_legal_representative" in plan, plan
        else:  # each partition carries the index; with sequential scans off the planner takes it
            conn.execute(text("SET enable_seqscan = off"))
            conn.execute(text("SET enable_bitmapscan = off"))
            plan = " ".join(str(row) for row in conn.execute(text("EXPLAIN " + sql)))
            assert "_expr_idx" in plan or "legal_representative" in plan, plan
