"""A published list's entries are kept between requests (:mod:`socialcredit.service.public_lists`) and made
again at the next request after anything they rest on changes: a listing, an exit, an objection filed, decided
or past its deadline, a granted repair, a new day; and not after what only appends to the audit log (a read,
a lookup). A publication's notices are kept on the same state."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from socialcredit.authorities import Authority
from socialcredit.records import Record
from socialcredit.service.due_process import DueProcess
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store
from tests.factories import person

LIST = "dishonest-judgment-debtors"
COURT = Party("court", Role.AUTHORITY, "court clerk", authority="RC-COURT")
MARKET = Party("market", Role.AUTHORITY, "market clerk", authority="RC-SAMR")
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")
PUBLIC = Party("public", Role.PUBLIC, "anyone")
ALICE, BOB = person(1), person(2)
OBJECTOR = Party("alice", Role.SUBJECT, "alice", subject_id=ALICE)
CLAIMANT = Party("bob", Role.SUBJECT, "bob", subject_id=BOB)


def listing(subject: str, case_no: str, *, ground: int = 1) -> Record:
    return Record(
        record_id=f"L-{case_no}",
        subject_id=subject,
        type="court.dishonest_listing",
        occurred_at=date(2026, 6, 1),
        attributes={"case_no": case_no, "ground": ground},
        legal_basis="SPC Provisions (法释〔2017〕7号), Art. 1",
    )


def performed(subject: str, case_no: str) -> Record:
    return Record(
        record_id=f"X-{case_no}",
        subject_id=subject,
        type="court.obligation_performed",
        occurred_at=date(2026, 6, 29),
        attributes={"case_no": case_no},
        legal_basis="SPC Provisions (法释〔2017〕7号), Art. 10",
    )


class Town:
    def __init__(self, store: Store, tmp_path: Path) -> None:
        store.add_authority(Authority("RC-COURT", "荣成市人民法院", "371082", ("court.*",)))
        store.add_authority(Authority("RC-SAMR", "荣成市市场监督管理局", "371082", ("commerce.*", "licence.*")))
        for party in (COURT, MARKET, REVIEWER, PUBLIC, OBJECTOR, CLAIMANT):
            add_party(store, party)
        self.now = datetime(2026, 6, 30, 2, tzinfo=UTC)
        self.platform = Platform(store, Settings(data_dir=tmp_path), clock=lambda: self.now, sender=MemorySender())
        self.due = DueProcess(self.platform)
        self.platform.submit_records(COURT, [listing(ALICE, "A1")], source="t")

    def entries(self) -> dict[str, dict[str, Any]]:
        return {e["key"]: e for e in self.platform.public_entries(LIST)["items"]}

    @property
    def builds(self) -> int:
        return self.platform.public.listed.builds


@pytest.fixture
def town(store: Store, tmp_path: Path) -> Town:
    return Town(store, tmp_path)


def test_the_entries_are_made_once_while_nothing_changes(town: Town) -> None:
    first = town.entries()
    assert set(first) == {"A1"} and town.builds == 1
    town.platform.public_lookup(PUBLIC, ALICE)  # found: counted and audited, which changes no entry
    town.platform.public_lookup(PUBLIC, BOB)
    assert town.entries() == first
    assert town.platform.public_entries(LIST, region="371082")["total"] == 1
    assert town.builds == 1


def test_a_new_listing_shows_at_the_next_request(town: Town) -> None:
    assert set(town.entries()) == {"A1"}
    town.platform.submit_records(COURT, [listing(BOB, "B1")], source="t")
    assert set(town.entries()) == {"A1", "B1"}
    assert town.platform.public_entries(LIST)["choices"]["authorities"][0]["count"] == 2


def test_an_exit_shows_at_the_next_request(town: Town) -> None:
    assert set(town.entries()) == {"A1"}
    town.platform.submit_records(COURT, [performed(ALICE, "A1")], source="t")
    assert town.entries() == {}
    assert town.platform.public_entries(LIST)["choices"] == {"regions": [], "authorities": []}


def test_an_objection_marks_the_entry_disputed_and_suspends_it_past_its_deadline(town: Town) -> None:
    assert not town.entries()["A1"]["disputed"]
    filed = town.due.object(
        OBJECTOR, scheme="judgment-debtors", statement="paid", target={"kind": "list_entry", "list_id": LIST}
    )
    assert town.entries()["A1"]["disputed"]
    town.now = datetime.combine(date.fromisoformat(filed["deadline"]), datetime.min.time(), UTC) + timedelta(days=1)
    assert town.entries() == {}  # undecided past its deadline: not published until decided
    town.due.decide(REVIEWER, filed["reference"], outcome="rejected", reasons="Not paid: no receipt.")
    assert not town.entries()["A1"]["disputed"]


def test_a_granted_repair_ends_the_entry_at_the_next_request(town: Town) -> None:
    town.platform.submit_records(COURT, [listing(BOB, "B1")], source="t")
    assert set(town.entries()) == {"A1", "B1"}
    repair = town.due.apply_for_repair(
        CLAIMANT,
        scheme="judgment-debtors",
        list_id=LIST,
        key="B1",
        obligation_performed=True,
        commitment="I will honour judgments.",
    )
    assert set(town.entries()) == {"A1", "B1"}
    town.due.decide(REVIEWER, repair["reference"], outcome="granted", reasons="Payment confirmed by the court.")
    assert set(town.entries()) == {"A1"}


def test_a_new_day_makes_the_entries_again(town: Town) -> None:
    town.platform.submit_records(COURT, [listing(BOB, "B2", ground=2)], source="t")  # two years, not until exit
    assert set(town.entries()) == {"A1", "B2"}
    builds = town.builds
    town.now += timedelta(days=1)
    assert set(town.entries()) == {"A1", "B2"}
    assert town.builds == builds + 1
    town.now = datetime(2028, 6, 2, 2, tzinfo=UTC)
    assert set(town.entries()) == {"A1"}


def test_what_a_caller_changes_in_an_answer_is_not_kept(town: Town) -> None:
    found = town.platform.public_entries(LIST)
    found["items"][0]["subject"] = "changed"
    found["choices"]["authorities"][0]["name"] = "changed"
    again = town.platform.public_entries(LIST)
    assert again["items"][0]["subject"] == "371082************"
    assert again["choices"]["authorities"][0]["name"] == "荣成市人民法院"


def test_the_transparency_figures_are_counted_again_after_a_listing_or_an_objection(town: Town) -> None:
    def made(period: str = "2026") -> tuple[int, int]:
        (row,) = [r for r in town.due.figures(period)["lists"] if r["list_id"] == LIST]
        return row["entries_made"], row["objections_filed"]

    assert made() == (1, 0) and made() == (1, 0)
    counted = town.due.transparency.builds
    assert counted == 1
    town.platform.public_lookup(PUBLIC, ALICE)  # audited, and no figure moves
    assert made() == (1, 0) and town.due.transparency.builds == counted
    town.platform.submit_records(COURT, [listing(BOB, "B1")], source="t")
    assert made() == (2, 0)
    town.due.object(
        OBJECTOR, scheme="judgment-debtors", statement="paid", target={"kind": "list_entry", "list_id": LIST}
    )
    assert made() == (2, 1)
    assert made("2026-06") == (2, 1) and made("2025") == (0, 0)
    changed = town.due.figures("2026")
    changed["lists"].clear()
    assert made() == (2, 1)


def penalty(subject: str, decision_no: str, day: date = date(2026, 6, 10)) -> Record:
    return Record(
        record_id=decision_no,
        subject_id=subject,
        type="commerce.counterfeit_goods",
        occurred_at=day,
        attributes={"fine": 5000, "violation": "以次充好"},
        legal_basis="Product Quality Law, Art. 50",
        source_ref=decision_no,
    )


def test_a_publications_notices_are_kept_until_a_penalty_an_objection_or_a_day_changes_them(town: Town) -> None:
    def notices() -> dict[str, dict[str, Any]]:
        return {n["document"]: n for n in town.platform.public_notices("market-penalties")["items"]}

    town.platform.submit_records(MARKET, [penalty(ALICE, "P1", date(2025, 7, 10))], source="t")
    assert set(notices()) == {"P1"}
    builds = town.builds
    town.platform.public_lookup(PUBLIC, ALICE)  # audited, and no notice moves
    assert set(notices()) == {"P1"} and town.builds == builds
    town.platform.submit_records(MARKET, [penalty(BOB, "P2")], source="t")
    assert set(notices()) == {"P1", "P2"} and town.builds == builds + 1
    town.due.object(
        CLAIMANT,
        scheme="rongcheng",
        statement="not my shop",
        target={"kind": "record", "authority": "RC-SAMR", "record_id": "P2"},
    )
    assert notices()["P2"]["disputed"] and not notices()["P1"]["disputed"]
    town.now = datetime(2026, 7, 11, 2, tzinfo=UTC)  # P1's year is over
    assert set(notices()) == {"P2"}
    town.now = datetime(2026, 7, 21, 2, tzinfo=UTC)  # P2's objection is past its 20 days, undecided
    assert notices() == {}
    found = town.platform.public_notices("market-penalties")
    assert found["total"] == 0
