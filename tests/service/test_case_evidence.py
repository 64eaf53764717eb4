"""The evidence of a case: every version of the records it rests on, for reviewers and its own subject only,
each read logged in the subject's access log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import NotFound
from socialcredit.service.case_evidence import versions_of
from socialcredit.service.due_process import DueProcess
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, PermissionDenied, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store
from tests.factories import person, record

COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
ALICE = Party("alice", Role.SUBJECT, "alice", subject_id=person(1))
BOB = Party("bob", Role.SUBJECT, "bob", subject_id=person(2))
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")
PROVIDER = Party("seller", Role.PROVIDER, "seller", actions=("buy_air_ticket",))


@pytest.fixture
def due(store: Store, tmp_path: Path) -> DueProcess:
    store.add_authority(Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",)))
    for party in (COURT, ALICE, BOB, REVIEWER, PROVIDER):
        add_party(store, party)
    now = datetime(2026, 6, 30, 2, tzinfo=UTC)
    platform = Platform(store, Settings(data_dir=tmp_path), clock=lambda: now, sender=MemorySender())
    return DueProcess(platform)


def _listed_and_objected(due: DueProcess) -> tuple[str, str]:
    listing = record(person(1), "court.dishonest_listing", "2026-06-01", "L1", case_no="C1", ground=1)
    due.platform.submit_records(COURT, [listing], source="t")
    filed = due.object(
        ALICE,
        scheme="judgment-debtors",
        statement="settled",
        target={"kind": "record", "authority": "RC-COURT", "record_id": "L1"},
    )
    return filed["reference"], "L1"


def test_the_evidence_holds_every_version_of_the_records_objected_to(due: DueProcess) -> None:
    reference, record_id = _listed_and_objected(due)
    (before,) = due.evidence(REVIEWER, reference)["records"]
    assert [v["record_id"] for v in before["versions"]] == [record_id]
    assert before["versions"][0]["disputed"] is True
    due.decide(REVIEWER, reference, outcome="upheld", reasons="settled on 2026-05-20")
    (after,) = due.evidence(REVIEWER, reference)["records"]
    assert [v["record_id"] for v in after["versions"]] == [record_id, f"{record_id}~{reference}"]
    assert after["versions"][1]["revoked"] is True and after["versions"][1]["supersedes"] == record_id
    log = due.platform.access_log(ALICE, person(1))["items"]
    assert [i["party"] for i in log if i["action"] == "case.evidence"] == ["reviewer", "reviewer"]


@pytest.mark.parametrize(
    ("party", "error"),
    [(BOB, PermissionDenied), (PROVIDER, PermissionDenied), (COURT, PermissionDenied)],
)
def test_no_one_else_sees_the_evidence_and_the_refusal_is_logged(
    due: DueProcess, party: Party, error: type[Exception]
) -> None:
    reference, _ = _listed_and_objected(due)
    with pytest.raises(error):
        due.evidence(party, reference)
    refusals = due.platform.refusals(Party("op", Role.OPERATOR, "op"))["items"]
    assert any(r["action"] == "case.evidence" and r["party"] == party.code for r in refusals)


def test_the_subject_sees_its_own_evidence_and_no_case_is_not_found(due: DueProcess) -> None:
    reference, _ = _listed_and_objected(due)
    assert due.evidence(ALICE, reference)["subject_id"] == person(1)
    with pytest.raises(NotFound):
        due.evidence(REVIEWER, "OBJ-0000000000")
    with pytest.raises(PermissionDenied):
        due.evidence(PROVIDER, "OBJ-0000000000")


def test_a_chain_of_corrections_is_followed_and_other_authorities_are_not_mixed_in() -> None:
    first = record(person(1), "t", "2026-01-01", "A", authority="X")
    second = record(person(1), "t", "2026-01-01", "A~1", authority="X", supersedes="A")
    third = record(person(1), "t", "2026-01-01", "A~2", authority="X", supersedes="A~1")
    other = record(person(1), "t", "2026-01-01", "B", authority="Y", supersedes="A")
    chain = versions_of([third, other, first, second], "X", "A")
    assert [r.record_id for r in chain] == ["A", "A~1", "A~2"]


def test_authority_names_are_public(due: DueProcess) -> None:
    assert due.authority_names() == {"RC-COURT": "Rongcheng People's Court"}
