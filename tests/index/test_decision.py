"""The decision index answers as the pure engine does, in single and bulk form, through its overlay, after a
merge and after a save and load."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.engine import Evaluator
from socialcredit.engine.evaluate import _reason
from socialcredit.index import DecisionIndex, Reference
from socialcredit.index import keys as K
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, person, record

SCHEME = load_scheme("judgment-debtors")
LIST = "dishonest-judgment-debtors"
LINK = "legal-representative"
P, Q = person(1), person(2)
PASSPORT = "passport:USA:X1234567"
ORG, ORG2 = organization(1), organization(2)
PEOPLE = [P, Q, PASSPORT]
ORGS = [ORG, ORG2]
ACTIONS = ["buy_air_ticket", "public_bidding", "buy_g_train_ticket", "buy_bus_ticket"]
DAY0 = date(2020, 1, 1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def listing(subject, day, case="A", ground=2, rid=None):
    return record(subject, "court.dishonest_listing", day, rid, case_no=case, ground=ground)


def representative(org, day, who, rid=None):
    return record(org, "registry.legal_representative", day, rid, person_id=who)


HCR = "high-consumption-restriction"
CASES = [
    # (records, subject, action, day, decision, reason code suffix, reference)
    ([listing(P, "2023-03-10")], P, "buy_air_ticket", "2023-03-10", "deny", HCR, ("A", None)),
    ([listing(P, "2023-03-10")], P, "buy_air_ticket", "2023-03-09", "allow", None, None),
    ([listing(P, "2023-03-10")], P, "buy_air_ticket", "2025-03-10", "allow", None, None),  # two years, exclusive
    ([listing(P, "2023-03-10")], P, "buy_air_ticket", "2025-03-09", "deny", HCR, ("A", None)),
    ([listing(P, "2023-03-10")], P, "public_bidding", "2023-06-01", "allow", None, None),  # persons may bid
    ([listing(P, "2023-03-10")], P, "buy_bus_ticket", "2023-06-01", "allow", None, None),  # not restricted
    ([listing(P, "2023-03-10")], Q, "buy_air_ticket", "2023-06-01", "allow", None, None),
    (
        [listing(P, "2023-03-10"), record(P, "court.listing_extension", "2024-01-01", case_no="A", years=1)],
        P, "buy_air_ticket", "2025-06-01", "deny", "high-consumption-restriction", ("A", None),
    ),
    (
        [listing(P, "2023-03-10", ground=1), record(P, "court.obligation_performed", "2030-01-01", case_no="A")],
        P, "buy_air_ticket", "2029-12-31", "deny", "high-consumption-restriction", ("A", None),
    ),
    (
        [listing(P, "2023-03-10", ground=1), record(P, "court.obligation_performed", "2030-01-01", case_no="A")],
        P, "buy_air_ticket", "2030-01-01", "allow", None, None,
    ),
    ([listing(ORG, "2023-03-10")], ORG, "public_bidding", "2023-06-01", "deny", "no-public-bidding", ("A", None)),
    (
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", P)],
        P, "buy_air_ticket", "2023-06-01", "deny", "legal-representative-consumption", ("A", ORG),
    ),
    (  # the representative changed before the listing: the new one is restricted, not the old one
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", P), representative(ORG, "2023-01-01", Q)],
        P, "buy_air_ticket", "2023-06-01", "allow", None, None,
    ),
    (
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", P), representative(ORG, "2024-01-01", Q)],
        P, "buy_air_ticket", "2023-12-31", "deny", "legal-representative-consumption", ("A", ORG),
    ),
    (
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", P), representative(ORG, "2024-01-01", Q)],
        Q, "buy_air_ticket", "2024-01-01", "deny", "legal-representative-consumption", ("A", ORG),
    ),
    (  # the legal representative may bid: the bidding bar is the organization's own
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", P)],
        P, "public_bidding", "2023-06-01", "allow", None, None,
    ),
    (  # a foreigner by passport as legal representative (the hash region)
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", PASSPORT)],
        PASSPORT, "buy_air_ticket", "2023-06-01", "deny", "legal-representative-consumption", ("A", ORG),
    ),
    (
        [listing(ORG, "2023-03-10"), representative(ORG, "2020-01-01", PASSPORT)],
        "passport:USA:X1234568", "buy_air_ticket", "2023-06-01", "allow", None, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("records", "subject", "action", "day", "decision", "measure", "ref"), CASES)
def test_table(records, subject, action, day, decision, measure, ref):
    index = DecisionIndex.build(SCHEME, records)
    answer = index.decide(subject, action, d(day))
    assert answer.decision == decision
    assert Evaluator(SCHEME, records).decide(subject, action, d(day)).decision == decision
    if measure is None:
        assert answer.reason_code is None and answer.reference is None
    else:
        assert answer.reason_code.startswith(measure + ":" + LIST)
        assert answer.reference == Reference(LIST, *ref)
    bulk = index.decide_many([subject], [action], [d(day)])
    assert bulk.answer(0) == answer


# --- differential: the index against the pure engine ----------------------------------------------------------

days = st.integers(min_value=0, max_value=6 * 366).map(lambda n: DAY0 + timedelta(days=n))


@st.composite
def debtor_records(draw):
    out = []
    for i in range(draw(st.integers(0, 25))):
        subject = draw(st.sampled_from(PEOPLE + ORGS))
        kind = draw(st.sampled_from(["listing", "extension", "exit", "representative", "representative"]))
        case = draw(st.sampled_from(["A", "B", "C"]))
        day = draw(days)
        rid = f"D{i}"
        if kind == "listing":
            out.append(listing(subject, day, case, draw(st.integers(0, 6)), rid))
        elif kind == "extension":
            out.append(
                record(subject, "court.listing_extension", day, rid, case_no=case, years=draw(st.integers(0, 4)))
            )
        elif kind == "exit":
            out.append(record(subject, "court.obligation_performed", day, rid, case_no=case))
        else:
            holder = draw(st.sampled_from([*ORGS, P]))
            who = draw(st.one_of(st.sampled_from([*PEOPLE, ORG2]), st.just(7)))  # 7: names nobody
            out.append(record(holder, "registry.legal_representative", day, rid, person_id=who))
    return out


def engine_answers(evaluator, subject, action, day):
    decision = evaluator.decide(subject, action, day)
    allowed = set()
    for m in evaluator.measures(subject, day):
        if action in m.actions and m.effect == decision.decision:
            ref = Reference(m.entry.list_id, m.entry.key, m.via_subject)
            allowed.add((_reason(m).code, ref))
    return decision.decision, allowed


def assert_same(index, evaluator, queries):
    subjects = [s for s, _, _ in queries]
    bulk = index.decide_many(subjects, [a for _, a, _ in queries], [day for _, _, day in queries])
    for i, (subject, action, day) in enumerate(queries):
        decision, allowed = engine_answers(evaluator, subject, action, day)
        answer = index.decide(subject, action, day)
        assert answer.decision == decision, (subject, action, day)
        if decision == "allow":
            assert answer.reason_code is None
        else:
            assert (answer.reason_code, answer.reference) in allowed
        assert bulk.answer(i) == answer


def query_days(records, extra):
    found = {r.occurred_at for r in records} | set(extra)
    for r in records:
        for years in (1, 2, 3, 4, 5):
            found.add(r.occurred_at.replace(year=r.occurred_at.year + years, day=min(r.occurred_at.day, 28)))
    return sorted(found)[:40]


@settings(max_examples=80, deadline=None)
@given(debtor_records(), st.lists(days, min_size=1, max_size=4))
def test_the_index_decides_as_the_pure_engine(records, extra):
    evaluator = Evaluator(SCHEME, records)
    index = DecisionIndex.build(SCHEME, records)
    queries = [(s, a, day) for s in PEOPLE + ORGS for a in ACTIONS[:3] for day in query_days(records, extra)]
    assert_same(index, evaluator, queries)


# --- the overlay: the same answers as a fresh build, before and after merge, save and load ---------------------

entry_ops = st.tuples(
    st.just("add"),
    st.sampled_from(PEOPLE + ORGS),
    st.sampled_from(["A", "B"]),
    st.integers(0, 2000),
    st.one_of(st.none(), st.integers(1, 900)),
)
remove_ops = st.tuples(st.just("remove"), st.sampled_from(PEOPLE + ORGS), st.sampled_from(["A", "B"]))
link_ops = st.tuples(
    st.just("link"), st.sampled_from(ORGS), st.integers(0, 2000), st.one_of(st.none(), st.sampled_from(PEOPLE))
)
operations = st.lists(st.one_of(entry_ops, remove_ops, link_ops), max_size=12)


def apply(model_entries, model_links, op, index=None):
    if op[0] == "add":
        _, subject, key, start, length = op
        s = DAY0 + timedelta(days=start)
        e = None if length is None else s + timedelta(days=length)
        model_entries[(subject, key)] = (s, e)
        if index is not None:
            index.add_entry(subject, LIST, s, e, key)
    elif op[0] == "remove":
        _, subject, key = op
        existed = model_entries.pop((subject, key), None) is not None
        if index is not None:
            assert index.remove_entry(subject, LIST, key) == existed
    else:
        _, org, day, who = op
        model_links.setdefault(org, {})[DAY0 + timedelta(days=day)] = who
        if index is not None:
            index.set_link(org, LINK, DAY0 + timedelta(days=day), who)


def fresh(model_entries, model_links):
    entries = [(s, LIST, k, start, end) for (s, k), (start, end) in model_entries.items()]
    links = [(org, LINK, day, who) for org, points in model_links.items() for day, who in sorted(points.items())]
    return DecisionIndex.from_entries(SCHEME, entries, links)


def reference_answers(index, queries):
    return [index.decide(s, a, day) for s, a, day in queries]


@settings(max_examples=50, deadline=None)
@given(operations, operations, st.lists(days, min_size=3, max_size=6))
def test_the_overlay_answers_as_a_fresh_build(tmp_path_factory, before, after, qdays):
    model_entries: dict = {}
    model_links: dict = {}
    for op in before:
        apply(model_entries, model_links, op)
    index = fresh(model_entries, model_links)
    for op in after:
        apply(model_entries, model_links, op, index)
    expected = fresh(model_entries, model_links)
    queries = [(s, a, day) for s in PEOPLE + ORGS for a in ACTIONS[:2] for day in qdays]
    want = reference_answers(expected, queries)
    assert reference_answers(index, queries) == want
    bulk = index.decide_many([s for s, _, _ in queries], [a for _, a, _ in queries], [x for _, _, x in queries])
    assert [bulk.answer(i) for i in range(len(queries))] == want
    index.merge()
    assert index.pending == 0
    assert reference_answers(index, queries) == want
    loaded = DecisionIndex.load(index.save(tmp_path_factory.mktemp("ix")))
    assert reference_answers(loaded, queries) == want
    bulk = loaded.decide_many([s for s, _, _ in queries], [a for _, a, _ in queries], [x for _, _, x in queries])
    assert [bulk.answer(i) for i in range(len(queries))] == want


def test_an_entry_added_or_removed_is_visible_to_the_next_decision():
    index = DecisionIndex.build(SCHEME, [listing(P, "2023-03-10"), representative(ORG, "2020-01-01", Q)])
    day = d("2023-06-01")
    assert index.decide(Q, "buy_air_ticket", day).decision == "allow"
    index.add_entry(ORG, LIST, d("2023-05-01"), None, "B")
    assert index.decide(ORG, "public_bidding", day).decision == "deny"
    assert index.decide(Q, "buy_air_ticket", day).reference == Reference(LIST, "B", ORG)
    index.set_link(ORG, LINK, d("2023-05-15"), P)
    assert index.decide(Q, "buy_air_ticket", day).decision == "allow"
    assert index.decide(Q, "buy_air_ticket", d("2023-05-14")).decision == "deny"
    assert index.remove_entry(P, LIST, "A")
    assert index.decide(P, "buy_air_ticket", day).reference == Reference(LIST, "B", ORG)
    assert index.remove_entry(ORG, LIST, "B")
    assert index.decide(P, "buy_air_ticket", day).decision == "allow"
    assert not index.remove_entry(ORG, LIST, "B")
    assert index.pending > 0
    index.merge()
    assert index.pending == 0 and len(index) == 0
    assert index.decide(P, "buy_air_ticket", day).decision == "allow"


def test_hash_collisions_are_resolved_by_the_exact_text(monkeypatch):
    real = K.hash_key
    monkeypatch.setattr(K, "hash_key", lambda text, probe=0: real("same", probe))
    a, b = "passport:USA:X1234567", "passport:FRA:Y7654321"
    index = DecisionIndex.from_entries(SCHEME, [(a, LIST, "A", d("2023-01-01"), None)])
    day = d("2023-06-01")
    assert index.decide(a, "buy_air_ticket", day).decision == "deny"
    assert index.decide(b, "buy_air_ticket", day).decision == "allow"
    index.add_entry(b, LIST, d("2024-01-01"), None, "B")
    assert index.decide(b, "buy_air_ticket", day).decision == "allow"
    assert index.decide(b, "buy_air_ticket", d("2024-06-01")).reference == Reference(LIST, "B", None)
    assert index.decide(a, "buy_air_ticket", d("2024-06-01")).reference == Reference(LIST, "A", None)
    index.merge()
    assert index.decide(b, "buy_air_ticket", d("2024-06-01")).reference == Reference(LIST, "B", None)
    assert index.decide(a, "buy_air_ticket", day).decision == "deny"


def test_a_snapshot_shares_the_built_arrays_and_not_the_changes():
    day = d("2024-06-01")
    index = DecisionIndex.from_entries(SCHEME, [(P, LIST, "A", d("2023-01-01"), None)])
    index.add_entry(Q, LIST, d("2024-01-01"), None, "B")
    snapshot = index.snapshot()
    assert snapshot.layout is index.layout and snapshot.pending == index.pending == 1
    index.add_entry(PASSPORT, LIST, d("2024-01-01"), None, "C")  # a hashed key, given after the snapshot
    index.remove_entry(Q, LIST, "B")
    snapshot.merge()
    assert snapshot.pending == 0 and len(snapshot) == 2 and snapshot.layout is not index.layout
    assert [snapshot.decide(s, "buy_air_ticket", day).decision for s in (P, Q, PASSPORT)] == ["deny", "deny", "allow"]
    assert [index.decide(s, "buy_air_ticket", day).decision for s in (P, Q, PASSPORT)] == ["deny", "allow", "deny"]
    assert index.pending == 2 and len(index) == 1


def test_bulk_from_arrays_and_memory_per_entry(tmp_path):
    rng = np.random.default_rng(7)
    n = 200_000
    keys = rng.integers(110000_1940_0101_000, 820000_2010_1231_999, n, dtype=np.uint64)
    start = rng.integers(17000, 20000, n).astype(np.uint16)
    end = (start + 730).astype(np.uint16)
    index = DecisionIndex.from_arrays(SCHEME, keys, start, end, np.zeros(n, np.uint16))
    assert index.bytes_per_entry <= 16
    queries = np.concatenate([keys[:1000], keys[:1000] + np.uint64(1)])
    dayn = np.concatenate([start[:1000], start[:1000]]).astype(np.int32) + 10
    bulk = index.decide_many(queries, "buy_air_ticket", dayn)
    assert (bulk.decisions()[:1000] == "deny").all()
    hit = np.isin(queries[1000:], keys)
    assert (bulk.effect[1000:] > 0).sum() <= hit.sum()
    assert (bulk.decisions()[1000:][~hit] == "allow").all()
    loaded = DecisionIndex.load(index.save(tmp_path / "ix"))
    again = loaded.decide_many(queries, "buy_air_ticket", dayn)
    assert (again.effect == bulk.effect).all() and (again.row == bulk.row).all()
    texts = K.unpack_digit_keys(keys[:50])
    by_text = index.decide_many(texts, "buy_air_ticket", dayn[:50])
    assert (by_text.effect == bulk.effect[:50]).all()


def test_days_outside_the_range_are_refused():
    index = DecisionIndex.build(SCHEME, [listing(P, "2023-03-10")])
    with pytest.raises(ValueError, match="outside"):
        index.decide(P, "buy_air_ticket", date(1969, 12, 31))


@settings(max_examples=40, deadline=None)
@given(debtor_records(), debtor_records(), st.lists(days, min_size=1, max_size=3))
def test_refreshing_subjects_after_new_records_answers_as_the_engine(first, later, extra):
    later = [record(r.subject_id, r.type, r.occurred_at, f"L{r.record_id}", **dict(r.attributes)) for r in later]
    index = DecisionIndex.build(SCHEME, first)
    everything = first + later
    index.refresh(SCHEME, everything, {r.subject_id for r in later})
    evaluator = Evaluator(SCHEME, everything)
    queries = [(s, a, day) for s in PEOPLE + ORGS for a in ACTIONS[:2] for day in query_days(everything, extra)]
    assert_same(index, evaluator, queries)
    index.merge()
    assert_same(index, evaluator, queries)


def test_refresh_refuses_another_scheme():
    index = DecisionIndex.build(SCHEME, [])
    with pytest.raises(ValueError, match="judgment-debtors"):
        index.refresh(load_scheme("rongcheng"), [])


@pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None, reason="pyarrow (the batch extra) is not installed")
@settings(max_examples=40, deadline=None)
@given(operations, st.lists(days, min_size=3, max_size=5))
def test_the_vectorised_arrow_build_equals_the_row_build(ops, qdays):
    import pyarrow as pa

    from socialcredit.index.tables import ENTRY_COLUMNS, LINK_COLUMNS, column_type

    model_entries: dict = {}
    model_links: dict = {}
    for op in ops:
        apply(model_entries, model_links, op)
    entries = [(s, LIST, k, start, end) for (s, k), (start, end) in model_entries.items()]
    links = [(org, LINK, day, who) for org, points in model_links.items() for day, who in sorted(points.items())]

    def table(rows, columns):
        return pa.table({c: pa.array([r[i] for r in rows], type=column_type(c)) for i, c in enumerate(columns)})

    vectorised = DecisionIndex.from_arrow(SCHEME, table(entries, ENTRY_COLUMNS), table(links, LINK_COLUMNS))
    by_rows = DecisionIndex.from_entries(SCHEME, entries, links)
    queries = [(s, a, day) for s in PEOPLE + ORGS for a in ACTIONS[:2] for day in qdays]
    assert reference_answers(vectorised, queries) == reference_answers(by_rows, queries)
    assert len(vectorised) == len(by_rows)


@settings(max_examples=100)
@given(st.lists(st.binary(max_size=6), max_size=40), st.integers(1, 8), st.randoms(use_true_random=False))
def test_references_are_gathered_in_any_order_and_chunk_size(parts, chunk, rnd):
    from socialcredit.index.layout import gather_refs

    offsets = np.zeros(len(parts) + 1, dtype=np.uint64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    blob = np.frombuffer(b"".join(parts), dtype=np.uint8)
    order = np.array(rnd.sample(range(len(parts)), len(parts)), dtype=np.int64)
    new_offsets, new_blob = gather_refs(offsets, blob, order, chunk)
    got = [bytes(new_blob[int(new_offsets[i]) : int(new_offsets[i + 1])]) for i in range(len(parts))]
    assert got == [parts[i] for i in order]
