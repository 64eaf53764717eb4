"""Records a scheme cannot read are counted per type and reason."""

from __future__ import annotations

from socialcredit.engine.coverage import NOT_READ, Unread, describe, unread
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, person, record

P, ORG = person(1), organization(1)


def test_each_reason_is_counted() -> None:
    records = [
        record(P, "parking.fine", "2026-01-01"),
        record(P, "parking.fine", "2026-01-02"),
        record(P, "court.dishonest_listing", "2026-01-03", ground=1),  # no case number
        record(P, "court.dishonest_listing", "2026-01-03", case_no="C", ground=1),  # read
        record(P, "court.listing_extension", "2026-02-03", case_no="C"),  # no years
        record(ORG, "registry.legal_representative", "2026-01-01"),  # names nobody
    ]
    found = unread(load_scheme("judgment-debtors"), records)
    assert [(u.type, u.count) for u in found] == [
        ("court.dishonest_listing", 1),
        ("court.listing_extension", 1),
        ("parking.fine", 2),
        ("registry.legal_representative", 1),
    ]
    assert found[2].reason == NOT_READ


def test_points_from_a_missing_attribute_and_conditions_that_simply_do_not_hold() -> None:
    scheme = load_scheme("rongcheng")
    records = [
        record(P, "commerce.other_dishonesty", "2026-01-01"),  # points from `points`: absent
        record(P, "commerce.other_dishonesty", "2026-01-02", points="a lot"),  # not a number
        record(P, "commerce.other_dishonesty", "2026-01-03", points=-10),  # read
        record(P, "utility.late_fees", "2026-01-04"),  # not adjudicated: the other rule reads it
    ]
    (found,) = unread(scheme, records)
    assert found == Unread("commerce.other_dishonesty", found.reason, 2) and "'points'" in found.reason
    assert describe([found], scheme.label)[0].startswith("note: 2 records change nothing under rongcheng@")
    assert describe([], scheme.label) == []
