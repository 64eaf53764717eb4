"""Loading schemes: the shipped ones load; bad documents fail with file, line and field."""

from __future__ import annotations

import json

import pytest

from socialcredit.errors import SchemeError
from socialcredit.scheme.loader import load_scheme_text
from socialcredit.scheme.model import Purpose, Scheme
from socialcredit.scheme.registry import load_scheme, shipped_names, shipped_text

MINIMAL = """\
scheme: tiny
version: "1"
title: A tiny scheme
subject_kinds: [person]
jurisdiction: "000000"
effective_from: 2024-01-01
sources:
  - {id: law, title: A law}
objection: {how: Write to us, decided_within_days: 20, legal_basis: "A law, Art. 1"}
score:
  base: 100
  rules:
    - id: fine
      record_type: traffic.violation
      points: -5
      counts_for: {years: 1}
      legal_basis: A law, Art. 2
"""


def test_the_shipped_schemes_load():
    assert shipped_names() == [
        "civil-aviation", "enterprise-evaluation", "german-credit", "judgment-debtors", "market-publicity",
        "rongcheng", "tax-credit",
    ]
    for name in shipped_names():
        scheme = load_scheme(name)
        assert scheme.scheme == name
        assert scheme.sources, "every shipped scheme cites its sources"


def test_every_rule_list_link_and_measure_in_the_shipped_schemes_has_a_legal_basis():
    for name in shipped_names():
        s = load_scheme(name)
        items = [*(s.score.rules if s.score else []), *s.lists, *s.links, *s.measures]
        if s.grades:
            items += [*s.grades.assign, *s.grades.caps]
        assert all(len(i.legal_basis) > 3 for i in items)


def test_a_minimal_scheme_loads():
    assert load_scheme_text(MINIMAL).score.base == 100


@pytest.mark.parametrize(
    ("edit", "line", "field", "reason"),
    [
        (("      legal_basis: A law, Art. 2\n", ""), 13, "score.rules[0].legal_basis", "legal_basis"),
        (("points: -5", "pointz: -5"), 15, "score.rules[0].pointz", "unknown field"),
        (("points: -5", "points: lots"), 15, "score.rules[0].points", ""),
        (("counts_for: {years: 1}", "counts_for: {years: 0}"), 16, "score.rules[0].counts_for", "period"),
        (("record_type: traffic.violation", "record_type: Traffic"), 14, "score.rules[0].record_type", "pattern"),
        (("base: 100", "base: 100\n  base: 5"), 12, "score.base", "given twice"),
        (('jurisdiction: "000000"', 'jurisdiction: "37"'), 5, "jurisdiction", "pattern"),
        (
            ("record_type: traffic.violation", "record_type: petition.filed"),
            14,
            "score.rules[0].record_type",
            "its name reads as petitions",
        ),
    ],
)
def test_bad_documents_name_file_line_and_field(edit, line, field, reason):
    text = MINIMAL.replace(*edit)
    assert text != MINIMAL
    with pytest.raises(SchemeError) as info:
        load_scheme_text(text, source="tiny.yaml")
    matching = [p for p in info.value.problems if p.field == field]
    assert matching, info.value.problems
    problem = matching[0]
    assert problem.file == "tiny.yaml"
    assert problem.line == line
    assert reason in problem.reason or reason in str(info.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("scheme: [unclosed", "not valid YAML"), ("- a\n- b\n", "mapping")],
)
def test_unparseable_documents(text, reason):
    with pytest.raises(SchemeError, match=reason):
        load_scheme_text(text, source="x.yaml")


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            (
                "measures: []",
                "measures: [{id: m, actions: [a], effect: deny, when: {list: nope}, "
                "subject_kinds: [person], legal_basis: A law}]",
            ),
            "unknown list",
        ),
        (
            (
                "measures: []",
                "measures: [{id: m, actions: [a], effect: deny, when: {grades: [Z]}, "
                "subject_kinds: [person], legal_basis: A law}]",
            ),
            "no grades",
        ),
    ],
)
def test_references_between_parts_are_checked(edit, reason):
    text = MINIMAL + "measures: []\n"
    with pytest.raises(SchemeError, match=reason):
        load_scheme_text(text.replace(*edit))


def test_a_lab_scheme_may_model_what_operation_refuses():
    text = MINIMAL.replace("traffic.violation", "petition.filed")
    with pytest.raises(SchemeError):
        load_scheme_text(text)
    lab = load_scheme_text(text.replace("subject_kinds", "purpose: lab\nsubject_kinds"))
    assert lab.purpose is Purpose.LAB
    with pytest.raises(SchemeError, match="petitions"):
        load_scheme_text(text.replace("subject_kinds", "purpose: lab\nsubject_kinds"), purpose=Purpose.OPERATION)


@pytest.mark.parametrize("action", ["publish_photo_of_debtor", "shame_ringtone", "warning_ringtone"])
def test_shaming_measures_are_refused(action):
    text = MINIMAL + (
        "grades: {scale: [A, B], bands: [{grade: A, min: 90}, {grade: B}], legal_basis: A law}\n"
        f"measures: [{{id: m, actions: [{action}], effect: deny, when: {{grades: [B]}}, "
        "subject_kinds: [person], legal_basis: A law}]\n"
    )
    with pytest.raises(SchemeError, match="shaming"):
        load_scheme_text(text)


def test_json_schema_export_describes_the_language():
    schema = Scheme.model_json_schema(by_alias=True)
    json.dumps(schema)
    assert "legal_basis" in schema["$defs"]["PointRule"]["required"]
    assert "not" in schema["$defs"]["Condition"]["properties"]


def test_shipped_text_round_trips():
    for name in shipped_names():
        assert load_scheme_text(shipped_text(name)) == load_scheme(name)


@pytest.mark.parametrize(
    ("publication", "ok"),
    [
        ("{kind: penalty, severity: minor, period: {months: 3}}", True),
        ("{kind: penalty, severity: minor, period: {months: 4}}", False),
        ("{kind: penalty, severity: general, period: {months: 2}}", False),
        ("{kind: penalty, severity: general, period: {years: 1}}", True),
        ("{kind: penalty, severity: serious, period: {years: 3}}", True),
        ("{kind: penalty, severity: serious, period: {years: 3, months: 1}}", False),
        ("{kind: penalty, period: {years: 1}}", False),
        ("{kind: penalty, severity: general, period: {days: 100}}", False),
        ("{kind: licence, period: {years: 3}}", True),
        ("{kind: licence, period: {years: 4}}", False),
    ],
)
def test_publication_periods_are_bounded_by_law(publication, ok):
    body = publication[1:-1]
    text = MINIMAL + (
        "publications:\n"
        f"  - {{id: p, name: Notices, record_types: [traffic.violation], subject_kinds: [person], "
        f"legal_basis: A law, {body}}}\n"
    )
    # A lab scheme: the bounds are the scheme language's own, whatever tiers the catalogue gives the type.
    if ok:
        assert load_scheme_text(text, purpose=Purpose.LAB).publications[0].id == "p"
    else:
        with pytest.raises(SchemeError, match="publications"):
            load_scheme_text(text, purpose=Purpose.LAB)
