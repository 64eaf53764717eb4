"""The shipped scorecard through the service, exactly like a city scheme: the lender's clerk sends an application,
the lender's credit desk is refused for the applicant with four reason codes, and the applicant finds the same
key factors, largest first, in the notice, in the decision opened by its reference and in their file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from socialcredit.scorecard.german import applications, german_frame
from tests.api.conftest import ALICE, BOB
from tests.web.conftest import Portal

KEY_FACTORS = ["duration-months", "checking-account", "purpose", "savings"]
"""The German data's twelfth applicant's largest shortfalls under german-credit@2026.1, largest first."""


def application(portal: Portal, subject: str, row: int) -> dict[str, Any]:
    made = portal.world.today() - timedelta(days=3)
    frame = applications(german_frame().iloc[[row]], made)
    skip = ("record_id", "subject_id", "type", "occurred_at", "legal_basis")
    features = {k: (v.item() if hasattr(v, "item") else v) for k, v in frame.iloc[0].items() if k not in skip}
    return {
        "record_id": portal.world.fresh_id("APP"),
        "subject_id": subject,
        "type": "finance.application",
        "occurred_at": made.isoformat(),
        "attributes": features,
        "legal_basis": "Credit application to the lender (Commercial Banks Law, Art. 35)",
    }


def test_a_refused_applicant_finds_the_key_factors_in_the_notice_the_decision_and_the_file(portal: Portal):
    world = portal.world
    world.submit("loans-clerk", application(portal, ALICE, 11))
    answer = world.decide("lender", ALICE, "credit_application")
    assert answer["decision"] == "deny"
    assert [c.rsplit(":", 1)[1] for c in answer["reason_codes"]] == KEY_FACTORS

    alice = portal.reader("alice")
    notices = alice.get("/me/notices").text
    assert "Key factors, the largest first" in notices
    assert [notices.index(f"deny-application:grade-Decline:{f}") for f in KEY_FACTORS] == sorted(
        notices.index(f"deny-application:grade-Decline:{f}") for f in KEY_FACTORS
    )
    decision = alice.get(f"/me/decisions/{answer['reference']}").text
    assert all(f"deny-application:grade-Decline:{f}" in decision for f in KEY_FACTORS)
    file = alice.get("/me").text
    assert "Points given up against the best of each factor, the largest first" in file
    assert "earns nothing" in file and "duration-months-7" in file
    assert "各因素与最优档相比失去的分数" in portal.reader("alice", "zh_CN").get("/me").text


def test_an_approved_applicant_and_a_person_who_never_applied_are_allowed_with_no_reason(portal: Portal):
    world = portal.world
    world.submit("loans-clerk", application(portal, ALICE, 0))  # the first applicant: Approve
    assert world.decide("lender", ALICE, "credit_application")["decision"] == "allow"
    never = world.decide("lender", BOB, "credit_application")
    assert (never["decision"], never["reason_codes"]) == ("allow", [])
