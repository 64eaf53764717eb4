"""The catalogue of record types: the shipped one loads, and no entry of a forbidden kind ever does."""

from __future__ import annotations

import pytest

from socialcredit.catalogue.loading import load_catalogue_text, shipped_catalogue, shipped_catalogue_text
from socialcredit.catalogue.model import RETENTION_LIMIT, AttributeKind, AttributeSpec
from socialcredit.errors import CatalogueError

ENTRY = """\
  - type: {type}
    title: {title}
    description: {description}
    category: {category}
    issued_by: [{issued_by}]
    subject_kinds: [person]
    adverse: true
    tiers: [minor]
    legal_basis: {basis}
"""


def with_entry(
    type: str = "order.misc",
    title: str = "A misc record",
    description: str = "A record of conduct found by a decision in force.",
    category: str = "administrative_penalty",
    issued_by: str = "market_regulation",
    basis: str = "Administrative Penalty Law (2021)",
) -> str:
    entry = ENTRY.format(
        type=type, title=title, description=description, category=category, issued_by=issued_by, basis=basis
    )
    return shipped_catalogue_text() + entry


def test_the_shipped_catalogue_loads_and_declares_the_forbidden_kinds():
    catalogue = shipped_catalogue()
    assert catalogue.version
    forbidden = {c.id for c in catalogue.forbidden()}
    assert forbidden == {"biometric", "speech", "petitions", "religion", "assembly", "political", "ethnicity", "health"}
    assert all(c.reason and c.rests_on and c.signs for c in catalogue.forbidden())
    assert load_catalogue_text(with_entry()).entry("order.misc") is not None


def test_every_adverse_type_counts_five_years_at_most():
    for entry in shipped_catalogue().record_types:
        if entry.adverse:
            assert entry.tiers
            assert entry.counts_at_most.years <= RETENTION_LIMIT.years


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        # filed under a forbidden category outright
        ({"category": "religion"}, "may never be recorded"),
        ({"category": "petitions"}, "may never be recorded"),
        # an innocuous category, but its own words give it away
        (
            {"type": "order.office_visits", "description": "Bothersome visits to party and government offices."},
            "describe petitions",
        ),
        ({"type": "web.untrue_reports", "description": "Untrue reports spread online."}, "describe speech"),
        (
            {"type": "community.house_church_meetings", "description": "Meetings held in private homes."},
            "describe religion",
        ),
        (
            {"type": "traffic.pedestrian_camera_hits", "category": "traffic", "issued_by": "traffic_police"},
            "describe biometric",
        ),
        ({"type": "edu.theory_app_minutes", "category": "volunteering"}, "describe political"),
        ({"description": "Taking part in an unregistered association's gathering."}, "describe assembly"),
        ({"description": "The person's ethnic group as registered."}, "describe ethnicity"),
        ({"description": "A diagnosis of illness reported by a hospital."}, "describe health"),
        ({"basis": "Regulation on Letters and Visits (信访工作条例)"}, "describe petitions"),
        ({"title": "人脸识别抓拍"}, "describe biometric"),
    ],
)
def test_an_entry_of_a_forbidden_kind_is_refused(edit, says):
    with pytest.raises(CatalogueError) as info:
        load_catalogue_text(with_entry(**edit), source="proposal.yaml")
    problem = info.value.problems[0]
    assert says in problem.reason, problem
    assert problem.field is not None and problem.field.startswith("record_types[")
    assert problem.line is not None


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ({"category": "gossip"}, "unknown category"),
        ({"issued_by": "neighbourhood_committee"}, "unknown competences"),
        ({"type": "registry.registered"}, "listed twice"),
    ],
)
def test_an_entry_must_fit_the_catalogue(edit, says):
    with pytest.raises(CatalogueError, match=says):
        load_catalogue_text(with_entry(**edit))


def test_adverse_information_never_counts_longer_than_five_years():
    text = with_entry().replace(
        "    tiers: [minor]\n    legal_basis: Administrative",
        "    tiers: [minor]\n    retention: {years: 6}\n    legal_basis: Administrative",
    )
    with pytest.raises(CatalogueError, match="5 years at most"):
        load_catalogue_text(text)


@pytest.mark.parametrize(
    ("spec", "value", "problem"),
    [
        (AttributeSpec(type=AttributeKind.INTEGER, min=-50, max=-5), -20, None),
        (AttributeSpec(type=AttributeKind.INTEGER, min=-50, max=-5), -60, "must be at least -50"),
        (AttributeSpec(type=AttributeKind.INTEGER), "ten", "must be a whole number"),
        (AttributeSpec(type=AttributeKind.INTEGER), 2.5, "must be a whole number"),
        (AttributeSpec(type=AttributeKind.INTEGER), True, "must be a whole number"),
        (AttributeSpec(type=AttributeKind.NUMBER, max=1), 0.5, None),
        (AttributeSpec(type=AttributeKind.NUMBER, max=1), 1.5, "must be at most 1"),
        (AttributeSpec(type=AttributeKind.BOOLEAN), "yes", "must be true or false"),
        (AttributeSpec(type=AttributeKind.BOOLEAN), 1, "must be true or false"),
        (AttributeSpec(type=AttributeKind.TEXT, max_length=3), "abcd", "at most 3 characters"),
        (AttributeSpec(type=AttributeKind.TEXT), 12, "must be text"),
        (AttributeSpec(type=AttributeKind.DAY), "2024-02-30", "must be a day"),
        (AttributeSpec(type=AttributeKind.DAY), "2024-02-29", None),
        (AttributeSpec.model_validate({"type": "integer", "in": [1, 2]}), 3, "must be one of 1, 2"),
        (AttributeSpec.model_validate({"type": "integer", "in": [1, 2]}), 2, None),
    ],
)
def test_attribute_values_are_checked_against_their_spec(spec, value, problem):
    found = spec.problem(value)
    assert (found is None) if problem is None else (found is not None and problem in found), found
