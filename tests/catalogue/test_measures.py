"""The list of measures: the shipped one loads, and shaming or family measures never do."""

from __future__ import annotations

import pytest

from socialcredit.catalogue.loading import load_measures_text, shipped_measures, shipped_measures_text
from socialcredit.errors import CatalogueError

ACTION = """\
  - action: {action}
    title: {title}
    description: {description}
    category: {category}
    domain: travel
    effects: [deny]
    follows: [court_enforcement]
    subject_kinds: [person]
    legal_basis: SPC Provisions on Restricting High Consumption (2010, amended 2015), Art. 3
"""


def with_action(
    action: str = "buy_cruise_ticket",
    title: str = "A cruise ticket",
    description: str = "Buying a berth on a cruise ship.",
    category: str = "public_body_restriction",
) -> str:
    return shipped_measures_text() + ACTION.format(
        action=action, title=title, description=description, category=category
    )


def test_the_shipped_list_loads_and_declares_the_forbidden_kinds():
    listed = shipped_measures()
    assert {k.id for k in listed.forbidden()} == {"shaming", "family"}
    assert load_measures_text(with_action()).entry("buy_cruise_ticket") is not None
    # Only a legal representative is ever reached, and only where the law names it.
    assert {p for a in listed.actions for p in a.third_parties} == {"legal_representative"}


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        ({"category": "shaming"}, "may never be imposed"),
        ({"action": "caller_tone_warning", "category": "management"}, "describe shaming"),
        ({"action": "debtor_clip_on_short_video", "category": "management"}, "describe shaming"),
        ({"action": "notice_board", "description": "Showing the debtor's photo on a big screen."}, "describe shaming"),
        ({"action": "school_place", "description": "Refusing children school admission."}, "describe measures on a"),
        ({"action": "spouse_travel", "title": "The debtor's spouse may not fly"}, "describe measures on a"),
    ],
)
def test_a_measure_of_a_forbidden_kind_is_refused(edit, says):
    with pytest.raises(CatalogueError) as info:
        load_measures_text(with_action(**edit), source="proposal.yaml")
    problem = info.value.problems[0]
    assert says in problem.reason, problem
    assert problem.field is not None and problem.field.startswith("actions[") and problem.line is not None


def test_a_measure_must_use_the_catalogues_categories_and_domains():
    text = with_action().replace(
        "    follows: [court_enforcement]\n    subject_kinds: [person]\n",
        "    follows: [gossip]\n    subject_kinds: [person]\n",
    )
    assert "follows: [gossip]" in text
    with pytest.raises(CatalogueError, match="follows categories the catalogue does not have"):
        load_measures_text(text)
