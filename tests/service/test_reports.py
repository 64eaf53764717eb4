"""Credit reports in the service layer: who may have which, what issuing writes (row, access log, audit leaf),
the same content giving the same report, rendering again from what was kept, and verifying."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from socialcredit.authorities import Authority
from socialcredit.errors import InputError, NotFound
from socialcredit.service.context import SeededReferences
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import ANONYMOUS, Party, PermissionDenied, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.service.public_views import mask_subject
from socialcredit.service.reports import (
    ORGANIZATION,
    OWN,
    ReportDocument,
    Reports,
    canonical_json,
    check_reference,
    check_sha256,
    sha256,
)
from socialcredit.settings import Settings
from socialcredit.store import Store
from socialcredit.tables.service import access_table, reports_table
from tests.factories import organization, person, record

COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
ALICE = Party("alice", Role.SUBJECT, "alice", subject_id=person(1))
BOB = Party("bob", Role.SUBJECT, "bob", subject_id=person(2))
REVIEWER = Party("reviewer", Role.REVIEWER, "reviewer")
ACME = organization(1)
BASE = "https://credit.example"


class JsonRenderer:
    """A stand-in layout: the document as JSON, deterministic like the PDF's."""

    layout = "json-1"

    def render(self, document: ReportDocument) -> bytes:
        return json.dumps(
            {
                "reference": document.reference,
                "language": document.language,
                "issued_at": document.issued_at.isoformat(),
                "as_of": document.as_of.isoformat(),
                "content": document.content,
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode("utf-8")


RENDERER = JsonRenderer()


def acme(code: str) -> Mapping[str, Any]:
    """A stand-in for the registry's view of an organization."""
    if code != ACME:
        raise NotFound(f"no organization {code!r}")
    return {"code": ACME, "name": "荣成示例有限公司", "entity_type": "limited company", "notices": [], "ratings": []}


@pytest.fixture
def setup(store: Store, tmp_path: Path) -> tuple[Platform, Reports, list[datetime]]:
    store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
    for party in (COURT, ALICE, BOB, REVIEWER):
        add_party(store, party)
    now = [datetime(2026, 6, 30, 2, 0, 0, 123456, tzinfo=UTC)]
    platform = Platform(
        store,
        Settings(data_dir=tmp_path),
        clock=lambda: now[0],
        sender=MemorySender(),
        references=SeededReferences(7),
    )
    platform.submit_records(
        COURT, [record(person(1), "court.dishonest_listing", "2026-06-01", case_no="C1", ground=1)], source="t"
    )
    reports = Reports(platform.context, platform.guard, platform.subjects, organizations=acme)
    return platform, reports, now


def test_a_subject_has_its_own_report_with_its_full_number_and_issuing_is_logged(setup: Any) -> None:
    platform, reports, _ = setup
    issued = reports.own(ALICE, language="en", renderer=RENDERER, verify_base=BASE + "/")
    document = issued.document
    assert document.kind == OWN and document.subject_id == person(1)
    assert document.verify_url == f"{BASE}/verify/{document.reference}"
    assert document.issued_at.microsecond == 0  # an instant the report prints, to the second
    check_reference(document.reference)
    content = document.content
    assert content["subject_id"] == person(1)
    assert [e["list_id"] for s in content["schemes"] for e in s["list_entries"]] == ["dishonest-judgment-debtors"]
    assert content["records"][0]["title_zh"]  # the catalogue's Chinese title travels with the record
    assert issued.pdf_sha256 == sha256(issued.pdf) and issued.content_sha256 == sha256(canonical_json(content))
    with platform.context.read() as conn:
        row = conn.execute(select(reports_table)).one()
        actions = [r.action for r in conn.execute(select(access_table).where(access_table.c.subject_id == person(1)))]
        leaves = platform.store.audit_log.entries_for_subject(conn, person(1))
    assert (row.reference, row.kind, row.language, row.issued_by) == (document.reference, OWN, "en", "alice")
    assert row.pdf_sha256 == issued.pdf_sha256 and row.as_of.isoformat() == "2026-06-30"
    assert "file.read" in actions and "report.issue" in actions
    assert any(leaf.action == "report.issue" for leaf in leaves)


def test_the_same_content_on_the_same_day_is_the_same_report_and_renders_the_same_bytes(setup: Any) -> None:
    _, reports, now = setup
    first = reports.own(ALICE, language="zh_CN", renderer=RENDERER, verify_base=BASE)
    now[0] += timedelta(hours=1)
    second = reports.own(ALICE, language="zh_CN", renderer=RENDERER, verify_base=BASE)
    assert second.document.reference == first.document.reference and not second.new
    assert second.pdf == first.pdf
    again = reports.render_again(ALICE, first.document.reference, renderer=RENDERER)
    assert again.pdf == first.pdf and sha256(again.pdf) == first.pdf_sha256
    other_language = reports.own(ALICE, language="en", renderer=RENDERER, verify_base=BASE)
    assert other_language.new and other_language.document.reference != first.document.reference
    now[0] += timedelta(days=1)
    next_day = reports.own(ALICE, language="zh_CN", renderer=RENDERER, verify_base=BASE)
    assert next_day.new and next_day.document.as_of.isoformat() == "2026-07-01"
    # The first report still renders as it was issued, though the file has moved on.
    assert reports.render_again(ALICE, first.document.reference, renderer=RENDERER).pdf == first.pdf


@pytest.mark.parametrize("party", [BOB, REVIEWER, ANONYMOUS, COURT])
def test_no_one_but_the_holder_has_or_renders_again_a_subjects_own_report(setup: Any, party: Party) -> None:
    platform, reports, _ = setup
    issued = reports.own(ALICE, language="en", renderer=RENDERER, verify_base=BASE)
    with pytest.raises(PermissionDenied):
        reports.render_again(party, issued.document.reference, renderer=RENDERER)
    if party.role is not Role.SUBJECT:
        with pytest.raises(PermissionDenied):
            reports.own(party, language="en", renderer=RENDERER, verify_base=BASE)
    with platform.context.read() as conn:
        refused = conn.execute(select(access_table).where(access_table.c.outcome == "refused")).all()
    assert any(r.party == party.code and r.action.startswith("report.") for r in refused)


def test_an_organizations_report_is_for_anyone_and_verifying_shows_its_code_and_name(setup: Any) -> None:
    _, reports, _ = setup
    issued = reports.organization(ANONYMOUS, ACME.lower(), language="en", renderer=RENDERER, verify_base=BASE)
    assert issued.document.kind == ORGANIZATION and issued.document.subject_id == ACME
    again = reports.render_again(BOB, issued.document.reference, renderer=RENDERER)
    assert again.pdf == issued.pdf
    result = reports.verify(issued.document.reference.lower(), pdf=issued.pdf)
    assert result["code"] == ACME and result["name"] == "荣成示例有限公司" and result["matches"] is True
    with pytest.raises(NotFound):
        reports.organization(ANONYMOUS, organization(2), language="en", renderer=RENDERER, verify_base=BASE)
    with pytest.raises(NotFound):  # a person's number is no organization's code
        reports.organization(ANONYMOUS, person(1), language="en", renderer=RENDERER, verify_base=BASE)
    with pytest.raises(InputError):
        reports.organization(ANONYMOUS, "not a code", language="en", renderer=RENDERER, verify_base=BASE)
    with pytest.raises(InputError):
        reports.organization(ANONYMOUS, ACME, language="fr", renderer=RENDERER, verify_base=BASE)


def test_verifying_a_subjects_report_shows_only_its_masked_number_and_a_tampered_file_fails(setup: Any) -> None:
    _, reports, _ = setup
    issued = reports.own(ALICE, language="en", renderer=RENDERER, verify_base=BASE)
    result = reports.verify(issued.document.reference, pdf=issued.pdf)
    assert result["matches"] is True and result["subject"] == mask_subject(person(1))
    assert person(1) not in json.dumps(result)
    assert "content" not in result
    tampered = issued.pdf.replace(b"alice", b"alicf") + b" "
    assert reports.verify(issued.document.reference, pdf=tampered)["matches"] is False
    assert reports.verify(issued.document.reference, file_sha256=issued.pdf_sha256.upper())["matches"] is True
    assert "matches" not in reports.verify(issued.document.reference)
    with pytest.raises(NotFound):
        reports.verify("CR-000000000000")


@pytest.mark.parametrize(
    "reference",
    ["", "CR-", "CR-12345", "XX-0123456789AB", "CR-0123456789AG", "CR-0123456789ABC", "CR-\ud800" * 3, "CR-\x00"],
)
def test_a_reference_of_the_wrong_form_is_bad_input(reference: str) -> None:
    with pytest.raises(InputError) as caught:
        check_reference(reference)
    json.dumps([p.value for p in caught.value.problems]).encode("utf-8")  # shown safely, surrogates escaped


def test_a_reference_is_read_as_people_type_it() -> None:
    assert check_reference("  cr-0123456789ab ") == "CR-0123456789AB"


@pytest.mark.parametrize("value", ["", "abc", "g" * 64, "a" * 63, "a" * 65, "\ud800" * 64])
def test_a_sha256_of_the_wrong_form_is_bad_input(value: str) -> None:
    with pytest.raises(InputError):
        check_sha256(value)


def test_an_oversize_copy_is_refused(setup: Any) -> None:
    _, reports, _ = setup
    issued = reports.own(ALICE, language="en", renderer=RENDERER, verify_base=BASE)
    with pytest.raises(InputError, match="at most"):
        reports.verify(issued.document.reference, pdf=b"x" * (5 * 1024 * 1024 + 1))
