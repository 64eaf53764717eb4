"""What got worse between two record sets: each kind of worsening, the day it shows, and nothing when nothing
changed (for generated schemes and records too)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings

from socialcredit.engine.compare import (
    ENTRY_LENGTHENED,
    ENTRY_OPENED,
    GRADE_LOWERED,
    MEASURE_ADDED,
    POINTS_LOST,
    REWARD_LOST,
    worsenings,
)
from socialcredit.engine.evaluate import Evaluator
from socialcredit.records import Record, effective_records
from socialcredit.scheme.model import Scheme
from socialcredit.scheme.registry import load_scheme
from tests.batch.strategies import record_sets, schemes
from tests.factories import organization, person, record

DEBTORS = load_scheme("judgment-debtors")
RONGCHENG = load_scheme("rongcheng")
P, Q, ORG = person(1), person(2), organization(1)


def listing(day: str, ground: int, case: str = "C1", record_id: str = "L1", **kw: object) -> Record:
    return record(P, "court.dishonest_listing", day, record_id, authority="CRT", case_no=case, ground=ground, **kw)


def superseding(old: Record, *, revoked: bool = False, **attributes: object) -> Record:
    """A new version of ``old`` with some attributes changed, or its revocation."""
    return record(
        old.subject_id,
        old.type,
        old.occurred_at,
        f"{old.record_id}~fix",
        authority=old.authority,
        supersedes=old.record_id,
        revoked=revoked,
        **{**old.attributes, **attributes},
    )


def kinds(
    scheme: Scheme, before: list[Record], after: list[Record], subjects=(P,), since: date | None = None
) -> list[tuple[str, str, str]]:
    found = worsenings(
        Evaluator(scheme, effective_records(before)), Evaluator(scheme, effective_records(after)), subjects, since=since
    )
    return sorted((w.subject_id, w.kind, w.day.isoformat()) for w in found)


GROUND_5 = listing("2022-01-10", 5)
VOLUNTEER = record(P, "volunteer.service", "2026-05-01", "V1", authority="CIV")

CASES = [
    pytest.param(DEBTORS, [], [GROUND_5], [(P, ENTRY_OPENED, "2022-01-10"), (P, MEASURE_ADDED, "2022-01-10")],
                 id="a listing opens an entry and its measures"),
    pytest.param(
        DEBTORS, [GROUND_5], [GROUND_5, superseding(GROUND_5, ground=1)],
        [(P, ENTRY_LENGTHENED, "2024-01-10"), (P, MEASURE_ADDED, "2024-01-10")],
        id="an expired two-year entry made open-ended is reopened",
    ),
    pytest.param(DEBTORS, [GROUND_5], [GROUND_5, superseding(GROUND_5, case_no="C2")], [],
                 id="a corrected case number is the same listing"),
    pytest.param(
        DEBTORS, [GROUND_5],
        [GROUND_5, record(P, "court.listing_extension", "2023-06-01", "X1", authority="CRT", case_no="C1", years=1)],
        [(P, ENTRY_LENGTHENED, "2024-01-10"), (P, MEASURE_ADDED, "2024-01-10")], id="an extension lengthens",
    ),
    pytest.param(DEBTORS, [GROUND_5], [GROUND_5, listing("2022-03-01", 2, case="C2", record_id="L2")],
                 [(P, ENTRY_OPENED, "2022-03-01"), (P, MEASURE_ADDED, "2024-01-10")],
                 id="a second case is a second entry, and its measures outlast the first"),
    pytest.param(DEBTORS, [GROUND_5], [GROUND_5, superseding(GROUND_5)], [], id="the same content again"),
    pytest.param(
        DEBTORS,
        [record(ORG, "court.dishonest_listing", "2026-01-05", "L9", authority="CRT", case_no="C9", ground=1)],
        [record(ORG, "court.dishonest_listing", "2026-01-05", "L9", authority="CRT", case_no="C9", ground=1),
         record(ORG, "registry.legal_representative", "2026-02-01", "R1", authority="REG", person_id=P)],
        [(P, MEASURE_ADDED, "2026-02-01")], id="naming a legal representative of a listed organization",
    ),
    pytest.param(RONGCHENG, [VOLUNTEER], [VOLUNTEER, superseding(VOLUNTEER, revoked=True)],
                 [(P, POINTS_LOST, "2026-05-01")], id="a positive record revoked costs points"),
    pytest.param(
        RONGCHENG, [], [record(P, "traffic.drunk_driving", "2026-03-01", "T1", authority="PSB")],
        [(P, GRADE_LOWERED, "2026-03-01"), (P, POINTS_LOST, "2026-03-01")], id="drunk driving: points and the cap",
    ),
    pytest.param(
        RONGCHENG,
        [record(P, "honor.heroic_act", "2026-03-01", f"H{i}", authority="CIV") for i in range(2)],
        [record(P, "honor.heroic_act", "2026-03-01", "H0", authority="CIV")],
        [(P, GRADE_LOWERED, "2026-03-01"), (P, POINTS_LOST, "2026-03-01"), (P, REWARD_LOST, "2026-03-01")],
        id="a top grade's loan priority lost",
    ),
]


@pytest.mark.parametrize(("scheme", "before", "after", "expected"), CASES)
def test_each_kind_of_worsening_on_the_day_it_shows(
    scheme: Scheme, before: list[Record], after: list[Record], expected: list[tuple[str, str, str]]
) -> None:
    assert kinds(scheme, before, after) == expected


def test_days_before_since_are_not_looked_at() -> None:
    assert kinds(DEBTORS, [], [GROUND_5], since=date(2026, 1, 1)) == []
    opened = [(P, ENTRY_OPENED, "2023-01-01"), (P, MEASURE_ADDED, "2023-01-01")]
    assert kinds(DEBTORS, [], [GROUND_5], since=date(2023, 1, 1)) == opened


def test_an_improvement_is_no_worsening() -> None:
    assert kinds(DEBTORS, [GROUND_5], []) == []
    assert kinds(DEBTORS, [GROUND_5, superseding(GROUND_5, ground=1)], [GROUND_5]) == []


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(schemes(), record_sets())
def test_the_same_records_are_never_worse(scheme: Scheme, records: list[Record]) -> None:
    records = effective_records(records)
    subjects = {r.subject_id for r in records}
    assert worsenings(Evaluator(scheme, records), Evaluator(scheme, list(reversed(records))), subjects) == []
