"""Ingestion refuses a record the catalogue of record types does not allow, with the row named and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialcredit.authorities import Authority
from socialcredit.catalogue.loading import load_catalogue_text, shipped_catalogue, shipped_catalogue_text
from socialcredit.errors import RecordError
from socialcredit.service.ingest import ingest_file, ingest_records
from socialcredit.store import Store
from tests.factories import organization, person, record

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
SAMR = Authority("RC-SAMR", "Rongcheng Administration for Market Regulation", "371082", ("market_regulation",))
TRAFFIC = Authority("RC-TRAFFIC", "Rongcheng Traffic Police", "371082", ("traffic.violation",))
VERSION = shipped_catalogue().version

P1, ORG = person(1), organization(1)
GOOD = {
    "RC-COURT": {"type": "court.contract_breach_judgment", "attributes": {"amount": 100}},
    "RC-SAMR": {"type": "commerce.other_dishonesty", "attributes": {"points": -10}},
    "RC-TRAFFIC": {"type": "traffic.violation", "attributes": {"fine": 200}},
}

REFUSED = [
    # (authority, subject, type, attributes, refused field, what the reason says)
    ("RC-COURT", P1, "court.x", {}, "type", f"not a record type of catalogue {VERSION}"),
    ("RC-SAMR", P1, "commerce.late_filing", {}, "type", "new catalogue version"),
    ("RC-COURT", ORG, "tax.crime", {}, "type", "may not issue"),  # a pattern authority, a type outside it
    ("RC-COURT", ORG, "tax.crime", {}, "type", f"catalogue {VERSION} has it issued by: taxation"),
    ("RC-SAMR", P1, "court.contract_breach_judgment", {}, "type", "may not issue"),  # a catalogue competence
    ("RC-SAMR", ORG, "registry.registered", {}, None, None),  # market regulation registers organizations
    ("RC-TRAFFIC", P1, "traffic.drunk_driving", {}, "type", "its competences: traffic.violation"),
    ("RC-SAMR", P1, "commerce.other_dishonesty", {}, "attributes.points", "requires points"),
    ("RC-SAMR", P1, "commerce.other_dishonesty", {"points": "ten"}, "attributes.points", "must be a whole number"),
    ("RC-COURT", P1, "court.contract_breach_judgment", {"amount": "a lot"}, "attributes.amount", "must be a number"),
    ("RC-COURT", P1, "court.contract_breach_judgment", {"judge": "Li"}, "attributes.judge", "has no attribute judge"),
    ("RC-SAMR", P1, "registry.registered", {}, "subject_id", "about organizations only"),
    ("RC-TRAFFIC", ORG, "traffic.violation", {}, "subject_id", "about persons only"),
]


@pytest.fixture
def authorities(store: Store) -> Store:
    for authority in (COURT, SAMR, TRAFFIC):
        store.add_authority(authority)
    return store


def line(record_id: str, subject: str, type_: str, attributes: dict[str, object]) -> str:
    return json.dumps(
        {
            "record_id": record_id,
            "subject_id": subject,
            "type": type_,
            "occurred_at": "2025-03-01",
            "attributes": attributes,
        }
    )


def jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(("authority", "subject", "type_", "attributes", "field", "says"), REFUSED)
def test_a_record_the_catalogue_does_not_allow_is_refused_with_its_row_and_nothing_is_written(
    authorities: Store, tmp_path: Path, authority, subject, type_, attributes, field, says
) -> None:
    good = GOOD[authority]
    ingest_file(
        authorities, jsonl(tmp_path / "before.jsonl", line("B-1", P1, good["type"], good["attributes"])), authority
    )
    before = (authorities.count_records(), len(authorities.batches()))
    path = jsonl(
        tmp_path / "batch.jsonl",
        line("G-1", P1, good["type"], good["attributes"]),
        line("G-2", P1, good["type"], good["attributes"]),
        line("X-1", subject, type_, attributes),
    )
    if field is None:
        assert ingest_file(authorities, path, authority).inserted == 3
        return
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, authority)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.line, problem.field) == (str(path), 3, 3, field)
    assert says in problem.reason
    assert (authorities.count_records(), len(authorities.batches())) == before

    records = [
        record(P1, good["type"], "2025-03-01", "G-1", **good["attributes"]),
        record(subject, type_, "2025-03-01", "X-1", **attributes),
    ]
    with pytest.raises(RecordError) as caught:
        ingest_records(authorities, records, authority, source="feed")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.field) == ("feed", 2, field)
    assert (authorities.count_records(), len(authorities.batches())) == before


def test_a_csv_text_where_a_number_belongs_is_refused(authorities: Store, tmp_path: Path) -> None:
    path = tmp_path / "samr.csv"
    path.write_text(
        "record_id,subject_id,type,occurred_at,points\n"
        f"S-1,{P1},commerce.other_dishonesty,2025-03-01,-10\n"
        f"S-2,{P1},commerce.other_dishonesty,2025-03-01,minus ten\n",
        encoding="utf-8",
    )
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, "RC-SAMR")
    (problem,) = caught.value.problems
    assert (problem.row, problem.line, problem.field, problem.value) == (2, 3, "attributes.points", "minus ten")
    assert authorities.count_records() == 0


def test_every_problem_of_a_batch_at_once(authorities: Store, tmp_path: Path) -> None:
    path = jsonl(
        tmp_path / "many.jsonl",
        line("A", P1, "court.x", {}),
        line("B", P1, "commerce.other_dishonesty", {"points": -10}),
        line("C", ORG, "commerce.other_dishonesty", {"points": "x", "extra": True}),
    )
    with pytest.raises(RecordError) as caught:
        ingest_file(authorities, path, "RC-SAMR")
    assert [(p.row, p.field) for p in caught.value.problems] == [
        (1, "type"),
        (3, "attributes.extra"),
        (3, "attributes.points"),
    ]


def test_records_are_checked_against_the_catalogue_given(authorities: Store, tmp_path: Path) -> None:
    """A new catalogue version that lists a type lets it in; the shipped one does not."""
    addition = """\
  - type: commerce.late_annual_report
    title: An annual report filed late
    description: A market regulator records that an enterprise filed its annual report after the deadline.
    category: administrative_penalty
    issued_by: [market_regulation]
    subject_kinds: [organization]
    adverse: true
    tiers: [minor]
    legal_basis: Interim Regulation on Enterprise Information Publicity (2014), Art. 8
"""
    newer = load_catalogue_text(shipped_catalogue_text() + addition)
    path = jsonl(tmp_path / "late.jsonl", line("L-1", ORG, "commerce.late_annual_report", {}))
    with pytest.raises(RecordError):
        ingest_file(authorities, path, "RC-SAMR")
    assert ingest_file(authorities, path, "RC-SAMR", catalogue=newer).inserted == 1
