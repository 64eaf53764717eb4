"""The rights audit: a corpus of bad schemes, each refused or flagged for the reason intended.

Every case is a small edit to a scheme that passes. Each kind of wrong is tried under an innocuous name and
under a telling one: the audit must find it either way, because it reasons from the catalogue entry of each
record type and the list-of-measures entry of each action, not from what they are called.
"""

from __future__ import annotations

import pytest

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.errors import SchemeError
from socialcredit.scheme.loader import load_scheme_text, parse_scheme
from socialcredit.scheme.model import Purpose
from socialcredit.scheme.registry import shipped_names, shipped_text
from socialcredit.scheme.rights import audit_scheme

HEAD = """\
scheme: city
version: "1"
title: A city scheme
subject_kinds: [person, organization]
jurisdiction: "371082"
effective_from: 2024-01-01
sources:
  - {id: law, title: A law}
"""
OBJECTION = (
    "objection: {how: Write to the credit office, decided_within_days: 20, "
    'legal_basis: "Credit Reporting Industry Regulation, Art. 25"}\n'
)
SCORE = """\
score:
  base: 1000
  rules:
    - id: contract-breach
      record_type: court.contract_breach_judgment
      points: -50
      counts_for: {years: 5}
      legal_basis: City assessment standard, Attachment 1
    - id: heroic
      record_type: honor.heroic_act
      points: 30
      counts_for: {years: 3}
      legal_basis: City assessment standard, Attachment 1
grades:
  scale: [A, B, C, D]
  legal_basis: City measures, Art. 5
  bands:
    - {grade: A, min: 1000}
    - {grade: B, min: 900}
    - {grade: C, min: 600}
    - {grade: D}
"""
LIST = """\
lists:
  - id: debtors
    name: Dishonest judgment debtors
    kind: black
    subject_kinds: [person, organization]
    legal_basis: SPC Provisions (法释〔2017〕7号), Art. 1
    entry:
      record_type: court.dishonest_listing
      key: case_no
      duration:
        - period: {years: 2}
    exits:
      - record_type: court.obligation_performed
    remedy: Perform the obligation; the entry ends that day.
links:
  - id: legal-representative
    record_type: registry.legal_representative
    attribute: person_id
    legal_basis: SPC Provisions on Restricting High Consumption (2010, amended 2015), Art. 3
"""
MEASURES = """\
measures:
  - id: no-flights
    actions: [buy_air_ticket]
    effect: deny
    when: {list: debtors}
    subject_kinds: [person, organization]
    legal_basis: SPC Provisions on Restricting High Consumption (2010, amended 2015), Art. 3
"""
GOOD = HEAD + OBJECTION + SCORE + LIST + MEASURES


def audit(text: str):
    scheme, _lines = parse_scheme(text, "city.yaml")
    return audit_scheme(scheme, shipped_catalogue(), shipped_measures())


def errors_at(text: str, field_prefix: str) -> list[str]:
    return [f.reason for f in audit(text).errors if f.field.startswith(field_prefix)]


def test_the_base_scheme_passes():
    result = audit(GOOD)
    assert result.errors == [], result.errors
    assert load_scheme_text(GOOD).scheme == "city"


@pytest.mark.parametrize("name", shipped_names())
def test_every_shipped_scheme_passes_and_every_rule_rests_on_a_catalogue_entry(name):
    scheme = load_scheme_text(shipped_text(name))
    catalogue = shipped_catalogue()
    assert all(catalogue.entry(t) is not None for t in scheme.record_types())
    assert all(shipped_measures().entry(a) is not None for a in scheme.actions())
    assert audit(shipped_text(name)).errors == []


def test_the_judgment_debtors_consumption_bans_say_they_are_cross_domain_by_design():
    warnings = audit(shipped_text("judgment-debtors")).warnings
    spill = [w for w in warnings if w.reason.startswith("cross-domain")]
    assert {w.field for w in spill} == {"measures[0]", "measures[1]", "measures[2]"}
    assert all("by design" in w.reason and "Art. 5(1)(c)" in w.rests_on for w in spill)


RULE = """\
    - id: {id}
      record_type: {type}
      description: {description}
      points: {points}
      counts_for: {{years: 1}}
      legal_basis: City measures, Art. 9
"""


def with_rule(record_type: str, description: str = "a rule", points: int = -10, rule_id: str = "extra") -> str:
    rule = RULE.format(id=rule_id, type=record_type, description=description, points=points)
    return GOOD.replace("grades:\n", rule + "grades:\n", 1)


# (record type, description, what the reason must say) — innocuous and telling names alike.
FORBIDDEN_INPUTS = [
    ("order.office_visits", "bothersome visits to party and government offices", "not in the catalogue"),
    ("petition.filed", "petitions filed", "its name reads as petitions"),
    ("web.untrue_reports", "untrue reports online", "its name reads as speech"),
    ("community.house_church_meetings", "meetings", "its name reads as religion"),
    ("traffic.pedestrian_camera_hits", "jaywalking seen", "its name reads as biometric"),
    ("edu.theory_app_minutes", "minutes of study", "its name reads as political"),
    ("community.gatherings", "gatherings", "its name reads as assembly"),
    ("civil.minzu", "ethnic group", "its name reads as ethnicity"),
    ("medical.diagnosis", "a diagnosis", "its name reads as health"),
    ("order.misc_conduct", "conduct", "not in the catalogue"),
]


@pytest.mark.parametrize(("record_type", "description", "says"), FORBIDDEN_INPUTS)
def test_a_record_type_outside_the_catalogue_keeps_a_scheme_from_operation(record_type, description, says):
    text = with_rule(record_type, description)
    reasons = errors_at(text, "score.rules[2].record_type")
    assert reasons and says in reasons[0], reasons
    with pytest.raises(SchemeError) as info:
        load_scheme_text(text, source="city.yaml")
    problem = next(p for p in info.value.problems if p.field == "score.rules[2].record_type")
    assert problem.line is not None and problem.file == "city.yaml"


def test_a_rule_that_describes_itself_as_a_forbidden_kind_is_refused_whatever_its_type():
    text = with_rule("traffic.violation", "points off for visits to government offices")
    assert any("describe petitions" in r for r in errors_at(text, "score.rules[2]"))
    text = with_rule("volunteer.service", "hours in the study the great nation app", points=1)
    assert any("political" in r for r in errors_at(text, "score.rules[2]"))


def with_measure(actions: str, effect: str = "deny", when: str = "{list: debtors}", extra: str = "") -> str:
    measure = (
        f"  - id: extra\n    actions: [{actions}]\n    effect: {effect}\n    when: {when}\n"
        f"    subject_kinds: [person, organization]\n{extra}    legal_basis: City measures, Art. 12\n"
    )
    return GOOD + measure


@pytest.mark.parametrize(
    ("actions", "says"),
    [
        ("caller_tone_warning", "reads as shaming"),
        ("debtor_clip_on_short_video", "reads as shaming"),
        ("publish_photo_on_big_screen", "reads as shaming"),
        ("children_school_admission", "reads as measures on a subject's family"),
        ("priority_parking", "not on the list of measures"),
    ],
)
def test_an_action_off_the_list_of_measures_is_an_error(actions, says):
    reasons = errors_at(with_measure(actions), "measures[1].actions[0]")
    assert reasons and says in reasons[0], reasons


def test_an_effect_the_list_does_not_allow_is_an_error():
    text = with_measure("bank_loan", effect="deny")
    assert any("only priority, review, not deny" in r for r in errors_at(text, "measures[1].actions[0]"))


def test_a_measure_following_records_the_list_does_not_tie_it_to_is_an_error():
    text = with_measure("civil_service_hiring", when="{grades: [D]}")
    text = text.replace(
        "subject_kinds: [person, organization]\n    legal_basis: City measures, Art. 12",
        "subject_kinds: [person]\n    legal_basis: City measures, Art. 12",
    )
    reasons = errors_at(text, "measures[1].actions[0]")
    assert any("may follow only court_enforcement" in r and "court judgments" in r for r in reasons), reasons


def test_a_measure_on_subjects_the_list_does_not_name_is_an_error():
    text = with_measure("civil_service_hiring")
    assert any("person only, not organization" in r for r in errors_at(text, "measures[1].actions[0]"))


def test_a_measure_reaches_only_a_legal_representative():
    # A link on a record that does not name a legal representative.
    text = GOOD.replace(
        "links:\n",
        "links:\n  - id: co-debtor\n    record_type: court.dishonest_listing\n    attribute: name\n"
        "    legal_basis: City measures, Art. 3\n",
    )
    text = text.replace("\n  - id: legal-representative", "\n  - id: legal-representative", 1)
    text = with_measure("buy_air_ticket", extra="    applies_to: co-debtor\n").replace(GOOD, text)
    assert any("only linked subject" in r for r in errors_at(text, "measures[1].applies_to"))
    # An action whose list entry names no third party, through the legal representative's link.
    text = with_measure("public_bidding", extra="    applies_to: legal-representative\n")
    text = text.replace(
        "subject_kinds: [person, organization]\n    applies_to", "subject_kinds: [organization]\n    applies_to"
    )
    assert any("may not reach a linked subject" in r for r in errors_at(text, "measures[1].applies_to"))


def test_a_placeholder_is_not_a_legal_basis():
    text = GOOD.replace("legal_basis: City measures, Art. 5", "legal_basis: n/a")
    assert any("is not a legal basis" in r for r in errors_at(text, "grades.legal_basis"))


@pytest.mark.parametrize(
    ("record_type", "counts_for", "says"),
    [
        ("court.contract_breach_judgment", "{years: 100}", "counts at most 5 years, not 100 years"),
        ("court.contract_breach_judgment", "{years: 5, days: 1}", "counts at most 5 years"),
        ("traffic.violation", "{years: 3}", "counts at most 2 years, not 3 years"),
    ],
)
def test_an_adverse_rule_may_not_count_longer_than_its_record_type_allows(record_type, counts_for, says):
    text = with_rule(record_type).replace(
        "counts_for: {years: 1}\n      legal_basis: City measures, Art. 9",
        f"counts_for: {counts_for}\n      legal_basis: City measures, Art. 9",
    )
    assert any(says in r for r in errors_at(text, "score.rules[2].counts_for")), audit(text).errors


def test_a_deduction_counts_five_years_at_most_even_on_a_type_outside_the_catalogue():
    text = with_rule("order.misc_conduct").replace(
        "counts_for: {years: 1}\n      legal_basis: City measures, Art. 9",
        "counts_for: {years: 100}\n      legal_basis: City measures, Art. 9",
    )
    assert any("5 years at most, not 100 years" in r for r in errors_at(text, "score.rules[2].counts_for"))


def test_a_grade_rule_may_not_look_back_at_adverse_records_further_than_they_count():
    cap = (
        "  caps:\n    - id: once-listed\n"
        "      when: {has_record: {types: [court.dishonest_listing], within: {years: WINDOW}}}\n"
        "      at_most: D\n      legal_basis: City measures, Art. 6\n"
    )
    for window, refused in (("20", True), ("5", False)):
        text = GOOD.replace("    - {grade: D}\n", "    - {grade: D}\n" + cap.replace("WINDOW", window), 1)
        reasons = errors_at(text, "grades.caps[0].when")
        assert bool(reasons) is refused, reasons
        if refused:
            assert "counts at most 5 years, not 20 years back" in reasons[0]


def test_points_may_be_taken_only_for_adverse_information():
    text = with_rule("health.blood_donation", points=-5)
    assert any("not adverse information" in r for r in errors_at(text, "score.rules[2].points"))


def test_a_black_list_needs_an_exit_or_a_maximum_period_and_a_repair_path():
    forever = GOOD.replace(
        "        - period: {years: 2}\n    exits:\n      - record_type: court.obligation_performed\n",
        "        - until_exit: true\n",
    )
    reasons = errors_at(forever, "lists[0].exits")
    assert any("neither an exit record nor a maximum period" in r for r in reasons), reasons
    assert any("no repair path" in r for r in reasons)
    conditional = GOOD.replace(
        "      - record_type: court.obligation_performed\n",
        "      - record_type: court.obligation_performed\n        when: {attribute: case_no, eq: never}\n",
    )
    reasons = errors_at(conditional, "lists[0].exits")
    assert len(reasons) == 1 and "no repair path" in reasons[0]


def test_a_listing_longer_than_its_record_may_count_is_an_error():
    text = GOOD.replace("        - period: {years: 2}\n", "        - period: {years: 6}\n")
    assert errors_at(text, "lists[0].entry.duration[0].period")
    extended = GOOD.replace(
        "    exits:\n",
        "    extensions:\n"
        "      - {record_type: court.listing_extension, years_from: years, min: 1, max: 4}\n"
        "    exits:\n",
    )
    assert errors_at(extended, "lists[0].extensions[0].max")


def test_no_objection_route_is_an_error():
    assert errors_at(HEAD + SCORE + LIST + MEASURES, "objection")


def test_a_publication_may_not_raise_a_records_tier():
    text = GOOD + (
        "publications:\n  - {id: p, name: Notices, kind: penalty, severity: serious, "
        "record_types: [traffic.violation], subject_kinds: [person], period: {years: 2}, "
        "legal_basis: 国办发〔2025〕22号}\n"
    )
    assert any("minor matter, not serious" in r for r in errors_at(text, "publications[0]"))


# Warnings: published with the scheme, not refusals.


def warnings_at(text: str, field_prefix: str) -> list[str]:
    result = audit(text)
    assert result.errors == [], result.errors
    return [f.reason for f in result.warnings if f.field.startswith(field_prefix)]


def test_points_out_of_proportion_to_the_tier_are_flagged():
    text = with_rule("utility.late_fees", points=-500).replace("counts_for: {years: 1}", "counts_for: {years: 1}", 1)
    reasons = warnings_at(text, "score.rules[2].points")
    assert reasons and "out of proportion" in reasons[0] and "general" in reasons[0]
    assert warnings_at(with_rule("utility.late_fees", points=-20), "score.rules[2].points") == []


def test_accumulation_without_a_cap_is_flagged_and_a_cap_silences_it():
    assert warnings_at(with_rule("traffic.violation", points=-5), "score.rules[2].cap")
    capped = with_rule("traffic.violation", points=-5).replace(
        "      legal_basis: City measures, Art. 9",
        "      cap_per_calendar_year: 20\n      legal_basis: City measures, Art. 9",
    )
    assert warnings_at(capped, "score.rules[2].cap") == []


def test_cross_domain_spill_over_is_flagged():
    text = with_measure("bank_loan", effect="priority", when="{grades: [A]}")
    reasons = warnings_at(text, "measures[1]")
    assert reasons and reasons[0].startswith("cross-domain") and "honours" in reasons[0]


def test_a_lab_scheme_loads_with_errors_and_the_audit_still_reports_them():
    text = with_rule("petition.filed", "petitions").replace(
        "title: A city scheme\n", "title: A city scheme\npurpose: lab\n"
    )
    scheme = load_scheme_text(text)
    assert scheme.purpose is Purpose.LAB
    result = audit(text)
    assert result.errors and not result.may_operate
    with pytest.raises(SchemeError, match="its name reads as petitions"):
        load_scheme_text(text, purpose=Purpose.OPERATION)
