"""A batch's ``record.write`` leaves held as rows are, leaf for leaf, the leaves of the same entries one by one."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.audit.append import leaf_rows
from socialcredit.audit.encoding import RecordWrites, format_instant
from socialcredit.audit.merkle import Frontier

TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=10)
WRITTEN = st.lists(
    st.tuples(
        st.integers(1, 2**62),
        TEXT,
        TEXT,
        st.sampled_from(["person", "organization"]),
        st.text("0123456789abcdef", min_size=64, max_size=64),
    ),
    max_size=8,
)
AT = datetime(2026, 12, 7, 8, 0, 0, 5, tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(actor=TEXT, authority=TEXT, batch=st.integers(1, 2**62), written=WRITTEN, start=st.integers(0, 40))
def test_rows_equal_the_general_path(actor: str, authority: str, batch: int, written: list, start: int) -> None:
    writes = RecordWrites(actor, authority, batch, format_instant(AT), written)
    before = Frontier()
    for n in range(start):
        before.append(bytes([n]) * 32)
    fast, general = Frontier(before.size, before.nodes), Frontier(before.size, before.nodes)
    assert list(leaf_rows(fast, [writes], AT)) == list(leaf_rows(general, writes.entries(), AT))
    assert fast.head() == general.head()
