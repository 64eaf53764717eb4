"""The personal file: a signed-in subject's own pages, read through the service (each read in the access log),
objections and repair from the browser, and the role matrix of every page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from socialcredit.web.routes.personal_views import FormErrors, form_text, score_history
from tests.api.conftest import ACME, ALICE, BOB
from tests.web.conftest import Portal
from tests.web.test_public_pages import add_market_regulator, penalty

LIST = "dishonest-judgment-debtors"
PAGES = [
    "/me",
    "/me/records",
    "/me/notices",
    "/me/access-log",
    "/me/decisions",
    "/me/cases",
    "/me/file.json",
    "/me/object?kind=score&scheme=rongcheng",
]


def listed(portal: Portal, subject: str = ALICE, case_no: str = "C1") -> dict[str, Any]:
    """A court listing of ``subject`` and a contract-breach judgment (−50 points under Rongcheng)."""
    w = portal.world
    listing = w.listing(subject, case_no)
    w.submit("court", listing)
    w.submit(
        "court",
        {
            "record_id": w.fresh_id("F"),
            "subject_id": subject,
            "type": "court.contract_breach_judgment",
            "occurred_at": "2026-03-01",
            "attributes": {},
            "legal_basis": "Contract Law",
            "source_ref": "(2026)鲁1082民初1号",
        },
    )
    return listing


def object_to(portal: Portal, listing: dict[str, Any], statement: str = "settled before listing") -> Any:
    reader = portal.reader("alice")
    return reader.post(
        "/me/object",
        {
            "kind": "record",
            "scheme": "judgment-debtors",
            "authority": "RC-COURT",
            "record_id": listing["record_id"],
            "statement": statement,
        },
    )


def main(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_file_shows_score_chart_entries_measures_and_the_full_number(portal: Portal, language: str) -> None:
    listed(portal)
    response = portal.reader("alice", language).get("/me")
    assert response.status_code == 200
    html = response.text
    assert ALICE in html  # the holder sees their own number in full
    assert "<svg" in html and "<script" not in html and "style=" not in html
    assert html.count("<h1") == 1
    assert "950" in html and "1,000" in html  # score and starting score
    assert "−50" in html or "-50" in html
    assert "2031" in html  # when the judgment stops counting
    assert "C1" in html and "/me/repair?" in html and "/me/object?kind=list_entry" in html
    words = {"en": ["Your credit file", "Measures in force", "not allowed"], "zh_CN": ["我的信用档案", "不允许"]}
    for word in words[language]:
        assert word in html, word
    assert f'<html lang="{"zh-CN" if language == "zh_CN" else "en"}">' in html


def test_the_chart_follows_each_item_from_its_day_to_the_day_it_stops_counting() -> None:
    result = {
        "base": 1000,
        "as_of": "2026-06-30",
        "score_lines": [
            {"points": -50, "record": {"occurred_at": "2026-03-01"}, "counts_until": "2031-03-01"},
            {"points": 5, "record": {"occurred_at": "2026-05-01"}, "counts_until": "2027-05-01"},
            {"points": 0, "record": {"occurred_at": "2026-04-01"}, "counts_until": "2027-04-01"},
        ],
    }
    history = [(d.isoformat(), v) for d, v in score_history(result)]
    assert history == [
        ("2026-01-30", 1000),
        ("2026-03-01", 950),
        ("2026-05-01", 955),
        ("2027-05-01", 950),
        ("2031-03-01", 1000),
    ]
    empty = score_history({"base": 1000, "as_of": "2026-06-30", "score_lines": []})
    assert [v for _, v in empty] == [1000, 1000]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_of_the_file_answers_its_subject(portal: Portal, path: str, language: str) -> None:
    listed(portal)
    response = portal.reader("alice", language).get(path)
    assert response.status_code == 200, response.text
    if path.endswith(".json"):
        return
    assert response.text.count("<h1") == 1 and "style=" not in response.text
    assert BOB not in response.text


@pytest.mark.parametrize("path", [*PAGES, "/me/cases/OBJ-00000", "/me/decisions/D-00", "/me/repair?list_id=x"])
def test_the_public_is_sent_to_sign_in(portal: Portal, path: str) -> None:
    response = portal.reader().get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/sign-in?next=/me")


@pytest.mark.parametrize("who", ["reviewer", "seller", "court", "operator"])
@pytest.mark.parametrize("path", ["/me", "/me/records", "/me/file.json", "/me/cases", "/me/access-log"])
def test_other_roles_are_refused_and_logged(portal: Portal, who: str, path: str) -> None:
    response = portal.reader(who).get(path)
    assert response.status_code == 403
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]
    assert any(r["action"] == "page.read" and r["party"] == who for r in refusals)


def test_posting_is_refused_to_other_roles_and_the_public(portal: Portal) -> None:
    listing = listed(portal)
    body = {
        "kind": "record",
        "scheme": "judgment-debtors",
        "authority": "RC-COURT",
        "record_id": listing["record_id"],
        "statement": "x",
    }
    assert portal.reader("reviewer").post("/me/object", body).status_code == 403
    assert portal.reader().post("/me/object", body).status_code == 401


def test_an_organization_sees_its_own_code(portal: Portal) -> None:
    response = portal.reader("acme-1").get("/me")
    assert response.status_code == 200 and ACME in response.text
    assert "Unified Social Credit Code" in response.text


def test_records_show_issuer_basis_source_and_an_objection_link(portal: Portal) -> None:
    listing = listed(portal)
    html = portal.reader("alice").get("/me/records").text
    assert "Rongcheng People&#39;s Court" in html and "RC-COURT" in html
    assert "(2026)鲁1082民初1号" in html and "法释〔2017〕7号" in html
    assert f"record_id={listing['record_id']}" in html


def test_reading_the_file_is_in_the_access_log_and_the_page_shows_who_looked(portal: Portal) -> None:
    listed(portal)
    portal.world.decide("seller", ALICE)
    reader = portal.reader("alice")
    reader.get("/me")
    log = portal.world.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"]
    assert [i["action"] for i in log if i["party"] == "alice"][:1] == ["file.read"]
    html = reader.get("/me/access-log").text
    assert "seller" in html and "received a decision about you" in html and "read your file" in html


def test_the_access_log_is_paginated(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    from socialcredit.web.routes import personal

    monkeypatch.setattr(personal, "PAGE_SIZE", 2)
    for _ in range(3):
        portal.world.decide("seller", ALICE)
    reader = portal.reader("alice")
    first = reader.get("/me/access-log").text
    assert 'rel="next"' in first and 'href="/me/access-log?offset=2"' in first
    second = reader.get("/me/access-log?offset=2").text
    assert 'rel="prev"' in second
    assert reader.get("/me/access-log?offset=-1").status_code == 422


def test_notices_show_the_listing_and_the_case_received(portal: Portal) -> None:
    listing = listed(portal)
    reference = object_to(portal, listing).headers["location"].rsplit("/", 1)[1]
    html = portal.reader("alice").get("/me/notices").text
    assert "You were put on a list" in html and "Your objection was received" in html
    assert f'href="/me/cases/{reference}"' in html


def test_a_decision_is_opened_by_its_reference_and_explained(portal: Portal) -> None:
    listed(portal)
    reference = portal.world.decide("seller", ALICE)["reference"]
    reader = portal.reader("alice")
    typed = reader.get("/me/decisions", params={"reference": f"  {reference.lower()} "})
    assert typed.status_code == 303 and typed.headers["location"] == f"/me/decisions/{reference}"
    html = reader.get(typed.headers["location"]).text
    assert "high-consumption-restriction" in html and "法释〔2017〕7号" in html
    assert "Apply in writing to the enforcing court" in html and "refused" in html
    listing_page = reader.get("/me/decisions").text
    assert f'href="/me/decisions/{reference}"' in listing_page


@pytest.mark.parametrize("typed", ["nonsense", "D-XYZ", "x" * 150, "D-12\x00"])
def test_a_mistyped_reference_keeps_the_text_and_names_the_field(portal: Portal, typed: str) -> None:
    response = portal.reader("alice").get("/me/decisions", params={"reference": typed})
    assert response.status_code == 422
    assert 'href="#reference"' in response.text and "There is a problem" in response.text
    assert 'aria-describedby="reference-hint reference-error"' in response.text


def test_another_subjects_decision_or_case_is_the_services_answer(portal: Portal) -> None:
    listing = listed(portal)
    reference = portal.world.decide("seller", ALICE)["reference"]
    case = object_to(portal, listing).headers["location"]
    bob = portal.reader("bob")
    assert bob.get(f"/me/decisions/{reference}").status_code == 403
    assert bob.get(case).status_code == 403
    assert bob.get("/me/decisions/D-0000").status_code == 404
    assert bob.get("/me/cases/OBJ-0000").status_code == 404
    assert bob.get("/me/cases/not-a-reference").status_code == 422
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]
    assert {"explanation.read", "case.read"} <= {r["action"] for r in refusals if r["party"] == "bob"}
    assert ALICE not in bob.get(case).text


def test_the_download_is_the_apis(portal: Portal) -> None:
    listed(portal)
    page = portal.reader("alice").get("/me/file.json")
    api = portal.world.call("alice", "GET", f"/v1/subjects/{ALICE}/file/download")
    assert page.headers["content-disposition"] == api.headers["content-disposition"]
    assert page.headers["content-type"] == api.headers["content-type"]
    mine, theirs = json.loads(page.text), api.json()
    assert set(mine) == set(theirs)
    assert mine["records"] == theirs["records"] and mine["schemes"] == theirs["schemes"]
    assert "file.download" in {i["action"] for i in theirs["access_log"]}


def test_an_objection_is_filed_from_the_page_and_tracked(portal: Portal) -> None:
    listing = listed(portal)
    reader = portal.reader("alice")
    form = reader.get(f"/me/object?kind=record&authority=RC-COURT&record_id={listing['record_id']}")
    assert form.status_code == 200 and 'name="statement"' in form.text and "judgment-debtors" in form.text
    filed = object_to(portal, listing)
    assert filed.status_code == 303 and re.fullmatch(r"/me/cases/OBJ-[0-9A-F]+", filed.headers["location"])
    html = main(reader.get(filed.headers["location"]).text)
    assert "15 July 2026" in html and "15 days left" in html and "open" in html
    assert "objection filed" in html and "settled before listing" in html
    cases = reader.get("/me/cases").text
    assert filed.headers["location"] in cases
    assert filed.headers["location"].rsplit("/", 1)[1] in reader.get("/me").text
    # The same objection again: the service's conflict, as its page.
    again = object_to(portal, listing)
    assert again.status_code == 409 and "still open" in again.text
    # Late: suspended, and the page says so.
    portal.world.advance(16)
    late = reader.get(filed.headers["location"]).text
    assert "suspended" in late and "1 day overdue" in late


@pytest.mark.parametrize(
    ("statement", "why"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 4001, "Write at most 4000 characters (you wrote 4001)."),
        ("bad\x00text", "cannot be stored"),
    ],
)
def test_a_bad_statement_keeps_the_text_and_names_the_field(portal: Portal, statement: str, why: str) -> None:
    listing = listed(portal)
    response = object_to(portal, listing, statement)
    assert response.status_code == 422
    assert 'href="#statement"' in response.text and why in response.text
    if statement.strip() and "\x00" not in statement:
        assert statement in response.text
    assert portal.world.ok("alice", "GET", "/v1/cases")["items"] == []


def test_text_that_is_not_unicode_is_refused_by_the_form_check() -> None:
    errors = FormErrors()
    assert form_text({"statement": "lone \ud800 surrogate"}, "statement", errors, required=True)
    assert "statement" in errors.messages
    errors = FormErrors()
    form_text({"statement": ["twice", "sent"]}, "statement", errors)
    assert "statement" in errors.messages


def test_bytes_that_are_not_utf8_do_not_break_the_page(portal: Portal) -> None:
    listing = listed(portal)
    reader = portal.reader("alice")
    body = (
        f"csrf={reader.csrf()}&kind=record&scheme=judgment-debtors&authority=RC-COURT"
        f"&record_id={listing['record_id']}&statement=%ED%A0%80%FF"
    )
    response = reader.client.post(
        "/me/object", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code in (303, 422)


def test_a_forged_form_is_refused(portal: Portal) -> None:
    listing = listed(portal)
    reader = portal.reader("alice")
    response = reader.client.post(
        "/me/object",
        data={
            "csrf": "forged",
            "kind": "record",
            "scheme": "judgment-debtors",
            "authority": "RC-COURT",
            "record_id": listing["record_id"],
            "statement": "x",
        },
    )
    assert response.status_code == 403
    assert portal.world.ok("alice", "GET", "/v1/cases")["items"] == []


@pytest.mark.parametrize(
    "query",
    [
        "kind=record&authority=RC-COURT&record_id=NOPE",
        "kind=list_entry&scheme=judgment-debtors&list_id=dishonest-judgment-debtors&key=C9",
        "kind=score&scheme=judgment-debtors",
        "kind=score&scheme=no-such-scheme",
    ],
)
def test_an_item_that_is_not_the_subjects_is_not_found(portal: Portal, query: str) -> None:
    listed(portal, BOB, "C1")
    assert portal.reader("alice").get(f"/me/object?{query}").status_code == 404


def test_another_subjects_record_is_not_found_for_objection(portal: Portal) -> None:
    listing = listed(portal, BOB)
    reader = portal.reader("alice")
    assert reader.get(f"/me/object?kind=record&authority=RC-COURT&record_id={listing['record_id']}").status_code == 404
    posted = reader.post(
        "/me/object",
        {
            "kind": "record",
            "scheme": "judgment-debtors",
            "authority": "RC-COURT",
            "record_id": listing["record_id"],
            "statement": "not mine",
        },
    )
    assert posted.status_code == 404


@pytest.mark.parametrize("query", ["kind=nonsense", "kind=" + "x" * 300])
def test_a_bad_kind_is_bad_input(portal: Portal, query: str) -> None:
    assert portal.reader("alice").get(f"/me/object?{query}").status_code == 422


def test_a_score_objection_from_the_page(portal: Portal) -> None:
    listed(portal)
    reader = portal.reader("alice")
    form = reader.get("/me/object?kind=score&scheme=rongcheng")
    assert "950" in form.text
    filed = reader.post("/me/object", {"kind": "score", "scheme": "rongcheng", "statement": "my score is wrong"})
    assert filed.status_code == 303
    assert "Score 950" in reader.get(filed.headers["location"]).text


def test_repair_from_the_page(portal: Portal) -> None:
    listed(portal)
    reader = portal.reader("alice")
    query = f"scheme=judgment-debtors&list_id={LIST}&key=C1"
    form = reader.get(f"/me/repair?{query}")
    assert form.status_code == 200 and "no minimum period" in form.text and "10 working days" in form.text
    fields = {"scheme": "judgment-debtors", "list_id": LIST, "key": "C1"}
    bad = reader.post("/me/repair", {**fields, "commitment": "", "statement": "paid in full"})
    assert bad.status_code == 422
    assert 'href="#obligation_performed"' in bad.text and 'href="#commitment"' in bad.text
    assert "paid in full" in bad.text
    short = reader.post("/me/repair", {**fields, "obligation_performed": "yes", "commitment": "ok"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert 'href="#commitment"' in short.text
    filed = reader.post(
        "/me/repair", {**fields, "obligation_performed": "yes", "commitment": "I will honour judgments."}
    )
    assert filed.status_code == 303 and "/me/cases/REP-" in filed.headers["location"]
    html = reader.get(filed.headers["location"]).text
    assert "Credit repair" in html and "I will honour judgments." in html
    assert (
        reader.post(
            "/me/repair", {**fields, "obligation_performed": "yes", "commitment": "I will honour judgments."}
        ).status_code
        == 409
    )


def test_repair_before_the_minimum_period_is_the_services_refusal(portal: Portal) -> None:
    listed(portal)
    settings = portal.world.client.app.state.portal.platform.settings
    settings.repair_min_days[LIST] = 90
    reader = portal.reader("alice")
    form = reader.get(f"/me/repair?scheme=judgment-debtors&list_id={LIST}&key=C1")
    assert "30 August 2026" in form.text and "not yet met" in form.text
    refused = reader.post(
        "/me/repair",
        {
            "scheme": "judgment-debtors",
            "list_id": LIST,
            "key": "C1",
            "obligation_performed": "yes",
            "commitment": "I will honour judgments.",
        },
    )
    assert refused.status_code == 422 and "2026-08-30" in refused.text
    assert "Problems found" in refused.text  # the service's error page, with its problems table


def test_repair_of_an_entry_that_is_not_there_is_not_found(portal: Portal) -> None:
    listed(portal, BOB)
    reader = portal.reader("alice")
    assert reader.get(f"/me/repair?scheme=judgment-debtors&list_id={LIST}&key=C1").status_code == 404
    posted = reader.post(
        "/me/repair",
        {
            "scheme": "judgment-debtors",
            "list_id": LIST,
            "key": "C1",
            "obligation_performed": "yes",
            "commitment": "I will honour judgments.",
        },
    )
    assert posted.status_code == 404


def test_a_published_penalty_is_among_the_notices_with_its_end(portal: Portal) -> None:
    add_market_regulator(portal)
    portal.world.submit("market", penalty("P1", ALICE, "荣市监罚〔2026〕12号", 5000))
    html = portal.reader("alice").get("/me/notices").text
    assert "A penalty decision about you is published" in html and "10 May 2027" in html
    zh = portal.reader("alice", "zh_CN").get("/me/notices").text
    assert "关于您的行政处罚决定已公示" in zh and "公示截止日期" in zh
