"""A record against the catalogue of record types: what is refused, with the field and the reason."""

from __future__ import annotations

import pytest

from socialcredit.authorities import Authority, competence_problems, is_pattern
from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.catalogue.records import catalogue_for, competence_ids, record_problems
from socialcredit.scheme.model import Purpose
from socialcredit.scheme.registry import load_scheme
from tests.factories import organization, person, record

CATALOGUE = shipped_catalogue()
VERSION = CATALOGUE.version


def test_a_record_the_catalogue_allows_has_no_problem():
    assert record_problems(record(person(), "commerce.other_dishonesty", "2025-01-01", points=-10), CATALOGUE) == []
    listed = record(organization(), "court.dishonest_listing", "2025-01-01", case_no="(2025)鲁1082执1号", ground=1)
    assert record_problems(listed, CATALOGUE) == []
    represented = record(organization(), "registry.legal_representative", "2025-01-01", person_id=person(3))
    assert record_problems(represented, CATALOGUE) == []


@pytest.mark.parametrize(
    ("subject", "type", "attributes", "field", "says"),
    [
        (person(), "court.x", {}, "type", f"not a record type of catalogue {VERSION}"),
        (person(), "court.x", {}, "type", "new catalogue version"),
        (person(), "commerce.other_dishonesty", {}, "attributes.points", "missing: commerce.other_dishonesty requires"),
        (person(), "commerce.other_dishonesty", {"points": "ten"}, "attributes.points", "must be a whole number"),
        (person(), "commerce.other_dishonesty", {"points": -5.5}, "attributes.points", "must be a whole number"),
        (person(), "commerce.other_dishonesty", {"points": -60}, "attributes.points", "must be at least -50"),
        (person(), "utility.late_fees", {"adjudicated": "yes"}, "attributes.adjudicated", "must be true or false"),
        (person(), "court.contract_breach_judgment", {"amount": "a lot"}, "attributes.amount", "must be a number"),
        (person(), "court.contract_breach_judgment", {"case_no": 12}, "attributes.case_no", "must be text"),
        (person(), "court.dishonest_listing", {"case_no": "c", "ground": 7}, "attributes.ground", "must be one of"),
        (person(), "traffic.violation", {"speed": 120}, "attributes.speed", "has no attribute speed"),
        (person(), "health.blood_donation", {"blood_group": "A"}, "attributes.blood_group", "declares: none"),
        (person(), "tax.late_filing", {}, "subject_id", "about organizations only"),
        (organization(), "traffic.violation", {}, "subject_id", "the subject is an organization"),
        (
            organization(),
            "registry.legal_representative",
            {"person_id": "110101199001011234"},
            "attributes.person_id",
            "check",
        ),
    ],
)
def test_what_the_catalogue_does_not_allow_is_named(subject, type, attributes, field, says):
    problems = record_problems(record(subject, type, "2025-01-01", **attributes), CATALOGUE)
    assert [p[0] for p in problems] == [field]
    assert says in problems[0][2]


def test_every_problem_of_a_record_at_once():
    bad = record(person(), "tax.evasion", "2025-01-01", amount="x", extra=1)
    fields = sorted(p[0] for p in record_problems(bad, CATALOGUE))
    assert fields == ["attributes.amount", "attributes.extra", "attributes.share_of_tax_due", "subject_id"]


def test_a_revocation_need_not_repeat_the_required_attributes():
    revoked = record(person(), "commerce.other_dishonesty", "2025-01-01", supersedes="r1", revoked=True)
    assert record_problems(revoked, CATALOGUE) == []
    undeclared = record(person(), "commerce.other_dishonesty", "2025-01-01", supersedes="r1", revoked=True, x=1)
    assert [p[0] for p in record_problems(undeclared, CATALOGUE)] == ["attributes.x"]


def test_operation_schemes_hold_file_records_to_the_catalogue_and_lab_schemes_do_not():
    scheme = load_scheme("rongcheng")
    assert scheme.purpose is Purpose.OPERATION
    assert catalogue_for(scheme) is CATALOGUE
    lab = scheme.model_copy(update={"purpose": Purpose.LAB})
    assert catalogue_for(lab) is None


def test_an_authority_may_issue_by_pattern_or_by_catalogue_competence():
    court = Authority("C", "court", competences=("judicial",))
    entry = CATALOGUE.entry("court.dishonest_listing")
    assert entry is not None
    assert court.may_issue("court.dishonest_listing", entry.issued_by)
    assert not court.may_issue("court.dishonest_listing")  # without the catalogue entry, only patterns
    tax = CATALOGUE.entry("tax.evasion")
    assert tax is not None and not court.may_issue("tax.evasion", tax.issued_by)
    pattern = Authority("P", "court", competences=("court.*",))
    assert pattern.may_issue("court.dishonest_listing", entry.issued_by)
    assert not pattern.may_issue("finance.private_lending_breach", ["credit_reporting", "judicial"])


def test_a_competence_is_a_pattern_or_a_catalogue_competence():
    known = competence_ids(CATALOGUE)
    assert all(is_pattern(c) for c in ("court.*", "*", "court.dishonest_listing", "judgment-debtors"))
    assert competence_problems(["court.*", "judicial", "*", "judgment-debtors"], known) == []
    ((competence, reason),) = competence_problems(["judical"], known)
    assert competence == "judical"
    assert "'judical'" in reason and "judicial, market_regulation" in reason
