"""Every path that writes or changes what counts against a subject sends the subject a notice, with the decision
document where an entry opens or changes; and due process cannot be turned against the subject it protects."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from socialcredit.authorities import Authority
from socialcredit.errors import ConflictError, InputError
from socialcredit.records import Record
from socialcredit.service.due_process import DueProcess
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.settings import Settings
from socialcredit.store import Store
from socialcredit.tables.records import records_table
from socialcredit.tables.service import notices_table
from tests.factories import organization, person, record

P, ORG = person(1), organization(1)
COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
REGISTRY = Party("registry", Role.AUTHORITY, "registry", authority="RC-REGISTRY")
CIVIL = Party("civil", Role.AUTHORITY, "civil affairs", authority="RC-CIVIL")
MARKET = Party("market", Role.AUTHORITY, "market regulator", authority="RC-SAMR")
SUBJECT = Party("p", Role.SUBJECT, "the person", subject_id=P)
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")
LIST = "dishonest-judgment-debtors"


class Town:
    """A platform on a store with a court, a registry and civil affairs, on a clock the test moves."""

    def __init__(self, store: Store, tmp: Path) -> None:
        for a in (
            Authority("RC-COURT", "court", "371082", ("court.*",)),
            Authority("RC-REGISTRY", "registry", "371082", ("registry.*",)),
            Authority("RC-CIVIL", "civil affairs", "371082", ("volunteer.*", "honor.*")),
            Authority("RC-SAMR", "market regulator", "371082", ("commerce.*", "licence.*")),
        ):
            store.add_authority(a)
        for party in (COURT, REGISTRY, CIVIL, MARKET, SUBJECT, REVIEWER):
            add_party(store, party)
        self.store = store
        self.now = [datetime(2026, 6, 30, 2, tzinfo=UTC)]
        self.platform = Platform(store, Settings(data_dir=tmp), clock=lambda: self.now[0], sender=MemorySender())
        self.due = DueProcess(self.platform)

    def submit(self, party: Party, *records: Record) -> dict[str, Any]:
        return self.platform.submit_records(party, list(records), source="test")

    def notices(self, subject_id: str = P) -> list[dict[str, Any]]:
        with self.store.read_snapshot() as conn:
            rows = conn.execute(
                select(notices_table).where(notices_table.c.recipient == subject_id).order_by(notices_table.c.id)
            ).all()
        return [{"kind": r.kind, **r.body} for r in rows]

    def items(self, subject_id: str = P) -> list[dict[str, Any]]:
        return [item for n in self.notices(subject_id) for item in n.get("items", [])]


@pytest.fixture
def town(store: Store, tmp_path: Path) -> Town:
    return Town(store, tmp_path)


def listing(day: str = "2026-06-01", ground: int = 1, case: str = "C1", record_id: str = "L1") -> Record:
    return record(P, "court.dishonest_listing", day, record_id, case_no=case, ground=ground)


def _doc_is_complete(item: dict[str, Any]) -> None:
    for key in (
        "basis_records",
        "legal_basis",
        "measures",
        "start",
        "end",
        "exit_conditions",
        "remedy",
        "how_to_object",
    ):
        assert key in item, key
    assert item["basis_records"] and item["measures"]


def test_a_listing_over_http_notifies_with_its_decision_document(town: Town) -> None:
    answer = town.submit(COURT, listing())
    (notice,) = town.notices()
    assert notice["kind"] == "listing"
    (item,) = [i for i in notice["items"] if i["kind"] == "listing"]
    _doc_is_complete(item)
    assert answer["list_entries"][0]["key"] == "C1"


def test_a_file_ingested_from_the_command_line_notifies(town: Town, tmp_path: Path) -> None:
    path = tmp_path / "court.csv"
    path.write_text(
        f"record_id,subject_id,type,occurred_at,case_no,ground\nL1,{P},court.dishonest_listing,2026-06-01,C1,1\n",
        encoding="utf-8",
    )
    (report,) = town.platform.submissions.ingest([path], "RC-COURT")
    assert report.inserted == 1
    assert [n["kind"] for n in town.notices()] == ["listing"]
    town.platform.submissions.ingest([path], "RC-COURT")  # again: nothing new, no second notice
    assert len(town.notices()) == 1


@pytest.mark.parametrize(
    ("subject", "fine", "publication", "until"),
    [
        (ORG, 50_000, "market-publicity@2025.1/organization-market-penalties", "2027-06-10"),
        (ORG, 1_500_000, "market-publicity@2025.1/serious-market-penalties", "2029-06-10"),
        (P, 5_000, "rongcheng@2024.1/market-penalties", "2027-06-10"),
    ],
)
def test_a_published_penalty_is_notified_with_its_publication_and_end(
    town: Town, subject: str, fine: int, publication: str, until: str
) -> None:
    town.submit(MARKET, record(subject, "commerce.counterfeit_goods", "2026-06-10", "M1", fine=fine))
    (item,) = [i for i in town.items(subject) if i["kind"] == "published"]
    assert f"{item['scheme']}/{item['publication_id']}" == publication
    assert item["published_until"] == until and item["record"]["record_id"] == "M1"
    assert "国办发〔2025〕22号" in item["legal_basis"] and item["how_to_object"]


def test_a_licence_or_a_penalty_whose_publication_has_ended_is_not_notified(town: Town) -> None:
    town.submit(
        MARKET,
        record(ORG, "licence.granted", "2026-06-10", "LIC1", licence_no="JY13710820077664"),
        record(ORG, "commerce.counterfeit_goods", "2025-05-01", "M2", fine=50_000),  # published until 2026-05-01
    )
    # No publication notice; the only news is the penalty's cost under the enterprise evaluation (three years).
    items = [i for n in town.notices(ORG) for i in n["items"]]
    assert all(i["kind"] == "adverse_record" and i["scheme"].startswith("enterprise-evaluation") for i in items)


def test_a_correction_that_lengthens_an_entry_notifies_with_the_changed_document(town: Town) -> None:
    town.submit(COURT, listing(day="2026-01-10", ground=5))
    corrected = record(P, "court.dishonest_listing", "2026-01-10", "L1-fix", supersedes="L1", case_no="C1", ground=1)
    town.submit(COURT, corrected)
    last = town.notices()[-1]
    (item,) = [i for i in last["items"] if i["kind"] in ("listing", "listing_changed")]
    _doc_is_complete(item)
    assert item["end"] is None  # until the obligation is performed


def test_an_extension_notifies_with_the_new_end(town: Town) -> None:
    town.submit(COURT, listing(day="2025-01-10", ground=5))
    town.submit(COURT, record(P, "court.listing_extension", "2026-06-15", "X1", case_no="C1", years=2))
    (item,) = [i for i in town.notices()[-1]["items"] if i["kind"] == "listing_changed"]
    _doc_is_complete(item)
    assert item["end"] == "2029-01-10"


def test_naming_the_legal_representative_of_a_listed_organization_notifies_the_person(town: Town) -> None:
    town.submit(COURT, record(ORG, "court.dishonest_listing", "2026-05-01", "L9", case_no="C9", ground=1))
    assert town.notices(P) == []
    town.submit(REGISTRY, record(ORG, "registry.legal_representative", "2026-06-01", "R1", person_id=P))
    (item,) = [i for i in town.items(P) if i["kind"] == "measure_through_link"]
    assert item["via_subject"] == ORG and item["effect"] == "deny" and "buy_air_ticket" in item["actions"]
    _doc_is_complete(item["entry"])


def test_revoking_a_positive_record_notifies_the_points_it_costs(town: Town) -> None:
    town.submit(CIVIL, record(P, "volunteer.service", "2026-05-01", "V1"))
    before = len(town.notices())
    town.submit(CIVIL, record(P, "volunteer.service", "2026-05-01", "V1-rev", supersedes="V1", revoked=True))
    assert len(town.notices()) == before + 1
    (item,) = [i for i in town.notices()[-1]["items"] if i["kind"] == "points_lost"]
    assert "-5" in item["text"]


def test_a_refused_repair_and_a_rejected_objection_are_notified_with_reasons(town: Town) -> None:
    town.submit(COURT, listing())
    repair = town.due.apply_for_repair(
        SUBJECT,
        scheme="judgment-debtors",
        list_id=LIST,
        key="C1",
        obligation_performed=True,
        commitment="I will honour every judgment.",
    )
    town.due.decide(REVIEWER, repair["reference"], outcome="refused", reasons="Payment not confirmed by the court.")
    decided = [n for n in town.notices() if n["kind"] == "repair_decided"]
    assert decided[0]["outcome"] == "refused" and "not confirmed" in decided[0]["reasons"] and decided[0]["how"]
    objection = town.due.object(
        SUBJECT,
        scheme="judgment-debtors",
        statement="not mine",
        target={"kind": "list_entry", "list_id": LIST, "key": "C1"},
    )
    town.due.decide(REVIEWER, objection["reference"], outcome="rejected", reasons="Served on 2026-05-20.")
    rejected = [n for n in town.notices() if n["kind"] == "objection_decided"]
    assert rejected[0]["outcome"] == "rejected" and rejected[0]["how"]


def _object_to_record(town: Town, record_id: str) -> str:
    return town.due.object(
        SUBJECT,
        scheme="judgment-debtors",
        statement="wrong",
        target={"kind": "record", "authority": "RC-COURT", "record_id": record_id},
    )["reference"]


def _record_count(town: Town) -> int:
    with town.store.read_snapshot() as conn:
        return len(conn.execute(select(records_table.c.id)).all())


WORSENING_OUTCOMES: list[tuple[str, Callable[[Town], None], dict[str, Any]]] = [
    ("an expired ground-5 listing made open-ended", lambda t: t.submit(COURT, listing("2022-01-10", 5)), {"ground": 1}),
    ("a two-year listing made open-ended", lambda t: t.submit(COURT, listing("2026-01-10", 5)), {"ground": 1}),
]


@pytest.mark.parametrize(("what", "setup", "corrected"), WORSENING_OUTCOMES, ids=[w[0] for w in WORSENING_OUTCOMES])
def test_an_upheld_objection_may_not_worsen(
    town: Town, what: str, setup: Callable[[Town], None], corrected: dict[str, Any]
) -> None:
    setup(town)
    reference = _object_to_record(town, "L1")
    records, notices = _record_count(town), len(town.notices())
    with pytest.raises(ConflictError, match="only correct in the subject's favour") as refused:
        town.due.decide(REVIEWER, reference, outcome="upheld", reasons="upheld", corrected_attributes=corrected)
    assert "entry of list dishonest-judgment-debtors" in str(refused.value)
    assert _record_count(town) == records and len(town.notices()) == notices
    assert town.due.case(SUBJECT, reference)["status"] in ("open", "suspended")


def test_an_upheld_objection_may_revoke_or_correct_in_the_subjects_favour(town: Town) -> None:
    town.submit(COURT, listing("2026-01-10", 1))
    reference = _object_to_record(town, "L1")
    decided = town.due.decide(
        REVIEWER, reference, outcome="upheld", reasons="ground 5, not 1", corrected_attributes={"ground": 5}
    )
    assert decided["status"] == "upheld" and decided["correction"]
    town.now[0] += timedelta(days=1)
    again = _object_to_record(town, decided["correction"][0].split("/", 1)[1])
    assert town.due.decide(REVIEWER, again, outcome="upheld", reasons="no such case")["status"] == "upheld"
    assert town.platform.subject_file(SUBJECT, P)["schemes"][0]["list_entries"] == []


def test_a_correction_changes_only_attributes_the_record_has(town: Town) -> None:
    town.submit(COURT, listing())
    reference = _object_to_record(town, "L1")
    with pytest.raises(InputError) as refused:
        town.due.decide(REVIEWER, reference, outcome="upheld", reasons="fix", corrected_attributes={"note": "x"})
    assert refused.value.problems[0].field == "corrected_attributes.note"


def test_the_notices_commit_with_the_records_or_neither_does(town: Town, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("the outbox is unavailable")

    monkeypatch.setattr(town.platform.submissions.announcer, "enqueue", broken)
    with pytest.raises(RuntimeError):
        town.submit(COURT, listing())
    with town.store.read_snapshot() as conn:
        assert conn.execute(select(records_table.c.id)).first() is None
    assert town.notices() == []


def test_a_refused_credit_application_sends_the_applicant_its_four_key_factors(store: Store, tmp_path: Path) -> None:
    from socialcredit.lab import lending
    from socialcredit.scorecard.german import applications, german_frame

    town = Town(store, tmp_path)
    store.add_authority(lending.lender("371082"))
    bank = Party("bank", Role.AUTHORITY, "the lender", authority=lending.LENDER)
    add_party(store, bank)
    row = applications(german_frame().iloc[[11]], town.now[0].date() - timedelta(days=3)).iloc[0]  # a refusal
    features = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items() if k not in ("record_id",
                "subject_id", "type", "occurred_at", "legal_basis")}  # fmt: skip
    town.submit(bank, record(P, "finance.application", str(row["occurred_at"]), "APP-1", **features))
    (item,) = [i for i in town.items() if i.get("measure_id") == "deny-application"]
    factors = item["key_factors"]
    assert [f["code"].rsplit(":", 1)[1] for f in factors] == [
        "duration-months",
        "checking-account",
        "purpose",
        "savings",
    ]
    assert all(f["records"][0]["record_id"] == "APP-1" for f in factors)
    assert "key factor 1 of 4: duration-months earned 0 of" in factors[0]["text"]
