"""Bulk checks (``decide_many``) on indexes large enough for their fast paths: a key found among the first rows
of its bucket, a key in a crowded bucket (searched over the whole bucket), a key absent from the index but
mixed into a populated bucket, keys past the last row or before the first, subjects with many rows; checked
against a brute-force answer and against single ``decide`` calls, through the overlay, merge, save and a
memory-mapped load."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.index import DecisionIndex
from socialcredit.index import keys as K
from socialcredit.index.decision import OPEN, WINDOW
from socialcredit.index.profiles import ProfileTable
from socialcredit.scheme.registry import load_scheme
from tests.factories import person

SCHEME = load_scheme("judgment-debtors")
LIST = "dishonest-judgment-debtors"
DAY = date(2024, 6, 1)


def brute_force(index, rows_of, keys, codes, dayn):
    """Effect and reason of each query from the subject's rows in their build order (the first of equally
    strong rows gives the reason)."""
    effects, reasons = index.profiles.effects, index.profiles.reasons
    want_e = np.zeros(len(keys), np.uint8)
    want_r = np.full(len(keys), -1, np.int16)
    for i, (k, a, d) in enumerate(zip(keys.tolist(), codes.tolist(), dayn.tolist(), strict=True)):
        for start, end, profile in rows_of.get(k, []):
            if start <= d < end and effects[profile, a] > want_e[i]:
                want_e[i], want_r[i] = effects[profile, a], reasons[profile, a]
    return want_e, want_r


def assert_bulk(index, rows_of, keys, codes, dayn):
    bulk = index.decide_many(keys, codes, dayn)
    want_e, want_r = brute_force(index, rows_of, keys, codes, dayn)
    assert (bulk.effect == want_e).all()
    assert (bulk.reason == want_r).all()
    hit = bulk.effect > 0
    assert (bulk.row[~hit] == -1).all()
    rows = bulk.row[hit]
    table = index.layout.table[rows]
    assert (index.layout.h[rows] == K.mix_array(keys[hit])).all()  # the row behind an answer is the subject's
    assert ((table[:, 0] <= dayn[hit]) & (dayn[hit] < table[:, 1])).all()
    return bulk


def crafted(rng, n_plain, crowded, many):
    """Keys of an index: ``n_plain`` random subjects of one row, ``crowded`` subjects mixed into one bucket
    (and as many absent keys in it), one subject with ``many`` rows, and keys at both ends of the mixed order.
    Returns (keys, start, end, profile, absent query keys)."""
    n_profiles = len(ProfileTable.of(SCHEME).profiles)
    bits = 24  # more than the directory of any index here has: the crowded keys share one bucket
    bucket = np.uint64(int(rng.integers(0, 1 << bits)) << (64 - bits))
    low = rng.choice(1 << (64 - bits), size=2 * crowded, replace=False).astype(np.uint64)
    in_bucket = K.unmix_array(bucket | low)
    keys = [rng.integers(0, 1 << 63, n_plain, dtype=np.uint64), in_bucket[:crowded]]
    keys += [np.full(many, rng.integers(0, 1 << 63), dtype=np.uint64)]
    keys += [K.unmix_array(np.array([0, 1, (1 << 64) - 2], dtype=np.uint64))]
    keys = np.concatenate(keys)
    m = len(keys)
    start = rng.integers(19_000, 20_500, m).astype(np.uint16)
    length = rng.integers(1, 1500, m)
    end = np.where(rng.random(m) < 0.1, OPEN, np.minimum(start + length, OPEN - 1)).astype(np.uint16)
    profile = rng.integers(0, n_profiles, m).astype(np.uint16)
    absent = np.concatenate([in_bucket[crowded:], K.unmix_array(np.array([(1 << 64) - 1, 2], dtype=np.uint64))])
    return keys, start, end, profile, absent


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 3000),
    st.integers(0, 40),
    st.integers(1, 30),
    st.integers(0, 2**32 - 1),
)
def test_bulk_checks_answer_as_brute_force(n_plain, crowded, many, seed):
    rng = np.random.default_rng(seed)
    keys, start, end, profile, absent = crafted(rng, n_plain, crowded, many)
    index = DecisionIndex.from_arrays(SCHEME, keys, start, end, profile)
    rows_of: dict[int, list[tuple[int, int, int]]] = {}
    for k, s, e, p in zip(keys.tolist(), start.tolist(), end.tolist(), profile.tolist(), strict=True):
        rows_of.setdefault(k, []).append((s, e, p))
    absent = absent[~np.isin(absent, keys)]
    queries = np.concatenate([keys, absent, rng.integers(0, 1 << 63, 200, dtype=np.uint64)])
    queries = rng.permutation(queries)
    codes = rng.integers(0, len(index.profiles.actions) + 1, len(queries))
    dayn = rng.integers(18_900, 20_600, len(queries)).astype(np.int32)
    assert_bulk(index, rows_of, queries, codes, dayn)


@pytest.mark.parametrize("n", [1, 2, WINDOW - 1, WINDOW, WINDOW + 1, 3 * WINDOW])
def test_bulk_checks_on_small_indexes(n):
    rng = np.random.default_rng(n)
    keys = rng.integers(0, 1 << 63, n, dtype=np.uint64)
    keys[n // 2 :] = keys[0]  # one subject holds half of the rows
    start = np.full(n, 19_000, np.uint16)
    end = (start + rng.integers(1, 3000, n)).astype(np.uint16)
    profile = rng.integers(0, 2, n).astype(np.uint16)
    index = DecisionIndex.from_arrays(SCHEME, keys, start, end, profile)
    rows_of: dict[int, list[tuple[int, int, int]]] = {}
    for k, s, e, p in zip(keys.tolist(), start.tolist(), end.tolist(), profile.tolist(), strict=True):
        rows_of.setdefault(k, []).append((s, e, p))
    ends = K.unmix_array(np.array([0, (1 << 64) - 1], dtype=np.uint64))
    queries = np.repeat(np.concatenate([keys, ends, keys + np.uint64(1)]), 3)
    codes = np.tile(np.arange(3), len(queries) // 3)
    dayn = rng.integers(18_990, 22_100, len(queries)).astype(np.int32)
    assert_bulk(index, rows_of, queries, codes, dayn)


def test_the_overlay_takes_precedence_over_built_rows_in_bulk(tmp_path):
    """An index of 3,000 persons (past the window): changes to built subjects and to absent subjects that mix
    into populated buckets are seen by bulk checks, before and after merge, and after a memory-mapped load."""
    people = [person(i % 999 + 1, birth=date(1980, 1, 1) + timedelta(days=i // 999)) for i in range(3000)]
    entries = [(p, LIST, f"C{i}", DAY - timedelta(days=i % 400), None) for i, p in enumerate(people[:2000])]
    index = DecisionIndex.from_entries(SCHEME, entries)
    assert len(index) == 2000 > WINDOW
    actions = ["buy_air_ticket", "public_bidding"]
    queries = [(p, a) for p in people for a in actions]

    def check(ix):
        subjects = [p for p, _ in queries]
        bulk = ix.decide_many(subjects, [a for _, a in queries], DAY)
        for i, (p, a) in enumerate(queries):
            assert bulk.answer(i) == ix.decide(p, a, DAY), (p, a)
        return bulk

    before = check(index)
    assert (before.decisions()[: 2 * 2000 : 2] == "deny").all()
    assert (before.decisions()[2 * 2000 :] == "allow").all()
    index.remove_entry(people[5], LIST, "C5")  # built, taken off
    index.add_entry(people[2500], LIST, DAY, None, "N1")  # absent from the arrays, put on
    index.add_entry(people[7], LIST, DAY - timedelta(days=1), None, "N2")  # built, a second entry
    assert index.pending == 3
    check(index)
    for i in range(1000, 2600, 8):  # many pending subjects: the overlay's bitmap has collisions
        if i < 2000:
            index.remove_entry(people[i], LIST, f"C{i}")
        else:
            index.add_entry(people[i], LIST, DAY - timedelta(days=i % 50), DAY + timedelta(days=1), f"N{i}")
    assert index.pending == 3 + 200
    bulk = check(index)
    assert bulk.answer(2 * 5).decision == "allow"
    assert bulk.answer(2 * 2500).decision == "deny" and bulk.answer(2 * 2500).reference.entry_key == "N1"
    assert bulk.answer(2 * 7).decision == "deny"
    index.merge()
    assert index.pending == 0
    assert (check(index).effect == bulk.effect).all()
    loaded = DecisionIndex.load(index.save(tmp_path / "ix"), mmap=True)
    assert isinstance(loaded.layout.h, np.memmap)
    assert (check(loaded).effect == bulk.effect).all()


def test_the_directory_filter_keeps_every_key_and_drops_most_absent_ones():
    from socialcredit.index.layout import build_directory, directory_layout, filter_bit

    rng = np.random.default_rng(3)
    n = 300_000
    h = np.sort(rng.integers(0, 1 << 64, n, dtype=np.uint64))
    directory, _ = build_directory(h)
    bits = round(np.log2(len(directory) - 1))
    offset_bits, width = directory_layout(n)
    assert width == 32 - 19 == 13
    mask = np.uint32((1 << offset_bits) - 1)
    assert ((directory[:-1] & mask) <= (directory[1:] & mask)).all() and directory[-1] == n

    def passes(keys):
        entry = directory[(keys >> np.uint64(64 - bits)).astype(np.intp)].astype(np.uint64)
        return (entry >> filter_bit(keys, bits, offset_bits, width)) & np.uint64(1) == 1

    assert passes(h).all()
    absent = rng.integers(0, 1 << 64, 100_000, dtype=np.uint64)
    absent = absent[~np.isin(absent, h)]
    assert passes(absent).mean() < 0.3  # about 1 - (1 - 1/13)^3: a quarter
    assert directory_layout(27_000_000) == (25, 7)
    assert directory_layout(1 << 29) == (30, 0)  # too few spare bits: no filter
