"""The reviewer's pages: the queue by deadline with overdue cases first and marked, a case with the subject's
file and its evidence, and the decision with reasons under the service's rules on what an outcome may change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ALICE, BOB
from tests.web.conftest import Portal
from tests.web.structure import problems

LIST = "dishonest-judgment-debtors"


def objection(portal: Portal, who: str = "alice", subject: str = ALICE, ground: int = 1) -> tuple[str, dict]:
    """A listing of ``subject`` and its objection to the record, filed from the personal pages."""
    w = portal.world
    listing = w.listing(subject, "C1", day="2025-01-10", ground=ground)
    w.submit("court", listing)
    response = portal.reader(who).post(
        "/me/object",
        {
            "kind": "record",
            "scheme": "judgment-debtors",
            "authority": "RC-COURT",
            "record_id": listing["record_id"],
            "statement": "settled before listing",
        },
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1], listing


def repair(portal: Portal, who: str = "alice") -> str:
    response = portal.reader(who).post(
        "/me/repair",
        {
            "scheme": "judgment-debtors",
            "list_id": LIST,
            "key": "C1",
            "obligation_performed": "yes",
            "commitment": "I will honour judgments.",
        },
    )
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


def decide(portal: Portal, reference: str, **form: Any) -> Any:
    return portal.reader("reviewer").post(f"/review/cases/{reference}/decision", form)


@pytest.mark.parametrize("path", ["/review", "/review/cases/OBJ-00000"])
def test_the_public_is_sent_to_sign_in_and_other_roles_are_refused(portal: Portal, path: str) -> None:
    assert portal.reader().get(path).headers["location"].startswith("/sign-in?next=/review")
    for who in ("alice", "seller", "court", "operator"):
        assert portal.reader(who).get(path).status_code == 403
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]
    assert {"alice", "seller", "court", "operator"} <= {r["party"] for r in refusals if r["action"] == "page.read"}


def test_a_subject_cannot_post_a_decision(portal: Portal) -> None:
    reference, _ = objection(portal)
    response = portal.reader("alice").post(
        f"/review/cases/{reference}/decision", {"outcome": "upheld", "reasons": "I say so"}
    )
    assert response.status_code == 403
    assert portal.world.ok("alice", "GET", f"/v1/cases/{reference}")["status"] == "open"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_queue_puts_overdue_cases_first_marks_them_and_masks_subjects(portal: Portal, language: str) -> None:
    late, _ = objection(portal)
    portal.world.advance(16)  # the objection's 15 days have passed
    portal.world.submit("court", portal.world.listing(BOB, "C1"))
    fresh = repair(portal, "bob")
    response = portal.reader("reviewer", language).get("/review")
    assert response.status_code == 200
    html = response.text
    assert html.index(late) < html.index(fresh)
    assert ALICE not in html and BOB not in html and ALICE[:6] + "*" in html
    assert "tag-red" in html
    words = {"en": ["overdue", "1 day overdue", "suspended"], "zh_CN": ["已逾期 1 天", "待处理事项"]}
    for word in words[language]:
        assert word in html, word


@pytest.mark.parametrize(
    ("query", "shows_objection", "shows_repair"),
    [
        ("", True, True),
        ("?kind=objection", True, False),
        ("?kind=repair", False, True),
        ("?status=upheld", False, False),
        ("?status=all&kind=all", True, True),
    ],
)
def test_the_queue_filters_by_kind_and_status(
    portal: Portal, query: str, shows_objection: bool, shows_repair: bool
) -> None:
    obj, _ = objection(portal)
    rep = repair(portal)
    html = portal.reader("reviewer").get(f"/review{query}").text
    assert (obj in html, rep in html) == (shows_objection, shows_repair)


@pytest.mark.parametrize("query", ["?kind=nonsense", "?status=closed", "?offset=-1", "?kind=" + "x" * 50])
def test_a_bad_filter_is_bad_input(portal: Portal, query: str) -> None:
    assert portal.reader("reviewer").get(f"/review{query}").status_code == 422


def test_the_queue_is_paginated(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialcredit.web.routes import review

    monkeypatch.setattr(review, "PAGE_SIZE", 1)
    objection(portal)
    repair(portal)
    reader = portal.reader("reviewer")
    first = reader.get("/review").text
    assert 'rel="next"' in first and "offset=1" in first and "status=open" in first
    assert 'rel="prev"' in reader.get("/review?offset=1").text


def test_the_case_page_shows_the_file_and_the_evidence_and_logs_the_reads(portal: Portal) -> None:
    reference, listing = objection(portal)
    response = portal.reader("reviewer").get(f"/review/cases/{reference}")
    assert response.status_code == 200
    html = response.text
    assert ALICE in html  # the reviewer deciding the case sees whom it is about
    assert "settled before listing" in html and listing["record_id"] in html
    assert "The evidence" in html and "The subject's file" in html
    assert 'name="outcome" value="upheld"' in html and 'name="correct.ground"' in html
    assert html.count("<h1") == 1 and "style=" not in html
    log = portal.world.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"]
    assert {("reviewer", "file.read"), ("reviewer", "case.evidence")} <= {(i["party"], i["action"]) for i in log}


def test_an_unknown_case_is_not_found(portal: Portal) -> None:
    reader = portal.reader("reviewer")
    assert reader.get("/review/cases/OBJ-0000").status_code == 404
    assert reader.get("/review/cases/nope").status_code == 422
    assert reader.post("/review/cases/OBJ-0000/decision", {"outcome": "upheld", "reasons": "x" * 5}).status_code == 404


@pytest.mark.parametrize(
    ("form", "field", "why"),
    [
        ({"outcome": "upheld", "reasons": ""}, "reasons", "This field is required."),
        ({"outcome": "upheld", "reasons": "x" * 4001}, "reasons", "Write at most 4000 characters"),
        ({"outcome": "upheld", "reasons": "ok\x00"}, "reasons", "cannot be stored"),
        ({"reasons": "Settled."}, "outcome", "This field is required."),
        ({"outcome": "granted", "reasons": "Settled."}, "outcome", "Choose one of the outcomes."),
        ({"outcome": "upheld", "reasons": "Settled.", "correct.ground": "two"}, "correct.ground", "same kind"),
        ({"outcome": "rejected", "reasons": "Served.", "correct.ground": "2"}, "outcome", "Only an upheld objection"),
        ({"outcome": "upheld", "reasons": "ab"}, "reasons", "a decision gives its reasons"),
    ],
)
def test_a_bad_decision_keeps_the_text_and_names_the_field(
    portal: Portal, form: dict[str, str], field: str, why: str
) -> None:
    reference, _ = objection(portal)
    response = decide(portal, reference, **form)
    assert response.status_code == 422
    assert f'href="#{field}"' in response.text and why in response.text
    if form.get("reasons") and len(form["reasons"]) < 100 and "\x00" not in form["reasons"]:
        assert form["reasons"] in response.text
    assert portal.world.ok("reviewer", "GET", f"/v1/cases/{reference}")["status"] == "open"


def test_a_forged_decision_is_refused(portal: Portal) -> None:
    reference, _ = objection(portal)
    reader = portal.reader("reviewer")
    response = reader.client.post(
        f"/review/cases/{reference}/decision", data={"csrf": "forged", "outcome": "upheld", "reasons": "Settled."}
    )
    assert response.status_code == 403
    assert portal.world.ok("reviewer", "GET", f"/v1/cases/{reference}")["status"] == "open"


def test_an_upheld_objection_revokes_the_record_and_the_subject_sees_it(portal: Portal) -> None:
    reference, listing = objection(portal)
    decided = decide(portal, reference, outcome="upheld", reasons="Settlement of 2026-05-20 on file.")
    assert decided.status_code == 303 and decided.headers["location"] == f"/review/cases/{reference}"
    html = portal.reader("reviewer").get(decided.headers["location"]).text
    assert "upheld" in html and 'name="outcome"' not in html  # decided: no form any more
    assert f"{listing['record_id']}~{reference}" in html and "revoked" in html  # the new version in the evidence
    mine = portal.reader("alice").get(f"/me/cases/{reference}").text
    assert "Settlement of 2026-05-20 on file." in mine and "upheld" in mine
    assert portal.world.decide("seller", ALICE)["decision"] == "allow"
    again = decide(portal, reference, outcome="rejected", reasons="changed my mind")
    assert again.status_code == 409


def test_a_correction_in_the_subjects_favour_is_made(portal: Portal) -> None:
    reference, _ = objection(portal, ground=1)
    decided = decide(
        portal, reference, outcome="upheld", reasons="Ground 2 per the decision.", **{"correct.ground": "2"}
    )
    assert decided.status_code == 303
    case = portal.world.ok("reviewer", "GET", f"/v1/cases/{reference}")
    assert case["status"] == "upheld" and case["correction"]


def test_a_correction_that_would_make_things_worse_is_the_services_refusal(portal: Portal) -> None:
    reference, _ = objection(portal, ground=2)  # two years from 2025-01-10; ground 1 would last until performed
    refused = decide(portal, reference, outcome="upheld", reasons="Ground 1 instead.", **{"correct.ground": "1"})
    assert refused.status_code == 409
    assert "may only correct in the subject" in refused.text
    assert portal.world.ok("reviewer", "GET", f"/v1/cases/{reference}")["status"] == "open"


def test_a_granted_repair_ends_the_entry_and_its_publication(portal: Portal) -> None:
    portal.world.submit("court", portal.world.listing(ALICE, "C1"))
    reference = repair(portal)
    html = portal.reader("reviewer").get(f"/review/cases/{reference}").text
    assert 'value="granted"' in html and 'value="refused"' in html and "correct." not in html
    assert "I will honour judgments." in html
    assert decide(portal, reference, outcome="granted", reasons="Paid in full on 2026-06-20.").status_code == 303
    assert portal.world.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")["total"] == 0
    assert "granted" in portal.reader("alice").get(f"/me/cases/{reference}").text


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_has_unique_ids_labelled_controls_and_headings_in_order(portal: Portal, language: str) -> None:
    reference, listing = objection(portal)
    portal.world.decide("seller", ALICE)
    decision = portal.world.ok("alice", "GET", f"/v1/subjects/{ALICE}/file")["decisions"][0]["reference"]
    pages = {
        "alice": [
            "/me",
            "/me/records",
            "/me/notices",
            "/me/access-log",
            "/me/decisions",
            f"/me/decisions/{decision}",
            f"/me/cases/{reference}",
            "/me/cases",
            "/me/object?kind=score&scheme=rongcheng",
            f"/me/object?kind=record&authority=RC-COURT&record_id={listing['record_id']}",
            f"/me/repair?scheme=judgment-debtors&list_id={LIST}&key=C1",
            "/me/decisions?reference=bad",
        ],
        "reviewer": ["/review", f"/review/cases/{reference}"],
    }
    for who, paths in pages.items():
        for path in paths:
            assert problems(portal.reader(who, language).get(path).text) == [], path
