"""The public pages: published lists with filters and pages, penalty notices, schemes in plain words, the
catalogue, the transparency figures with charts, and how to object; in both languages, for every reader, with
bad input refused on a page that names the field."""

from __future__ import annotations

import re
from typing import Any

import pytest

from socialcredit.authorities import Authority
from socialcredit.service.parties import Party, Role, add_party, issue_token
from tests.api.conftest import ACME, ALICE, BOB, SHANGHAI_PERSON, record_target
from tests.web.conftest import Portal
from tests.web.structure import problems

LIST = "dishonest-judgment-debtors"
PAGES = [
    "/lists",
    f"/lists/{LIST}",
    "/notices/market-penalties",
    "/notices/major-tax-violations",
    "/schemes",
    "/schemes/rongcheng",
    "/schemes/judgment-debtors",
    "/schemes/tax-credit",
    "/catalogue",
    "/transparency",
    "/transparency?period=2026-06",
    "/how-to-object",
]


def add_market_regulator(portal: Portal) -> None:
    """An authority that may issue market penalties (the API tests' world has none)."""
    store = portal.world.store
    store.add_authority(Authority("RC-MARKET", "Rongcheng market supervision bureau", "371082", ("commerce.*",)))
    add_party(store, Party("market", Role.AUTHORITY, "Market clerk", authority="RC-MARKET"))
    portal.world.tokens["market"] = issue_token(store, "market")


def penalty(record_id: str, subject: str, decision_no: str, fine: int, **fields: Any) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "subject_id": subject,
        "type": "commerce.counterfeit_goods",
        "occurred_at": "2026-05-10",
        "attributes": {"decision_no": decision_no, "fine": fine, **fields},
        "legal_basis": "Product Quality Law, Art. 50",
        "source_ref": decision_no,
    }


def listed(portal: Portal) -> None:
    """Alice and ACME listed in Rongcheng, a Shanghai person in Shanghai."""
    w = portal.world
    w.submit("court", w.listing(ALICE, "(2026)鲁1082执1号"), w.listing(ACME, "(2026)鲁1082执2号", day="2026-06-02"))
    w.submit("sh-court", w.listing(SHANGHAI_PERSON, "(2026)沪0101执3号", day="2026-06-03"))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_public_page_is_one_accessible_document_in_its_language(portal: Portal, language: str) -> None:
    listed(portal)
    reader = portal.reader(None, language)
    for path in PAGES:
        response = reader.get(path)
        assert response.status_code == 200, (path, response.text[-2000:])
        html = response.text
        assert f'<html lang="{"zh-CN" if language == "zh_CN" else "en"}">' in html
        assert "<script" not in html, path
        assert problems(html) == [], path
        assert ALICE not in html and SHANGHAI_PERSON not in html


def test_the_lists_page_links_every_list_and_publication(portal: Portal) -> None:
    html = portal.reader().get("/lists").text
    assert f'href="/lists/{LIST}"' in html
    assert 'href="/notices/market-penalties"' in html and 'href="/notices/major-tax-violations"' in html
    assert "SPC Provisions (法释〔2017〕7号), Art. 1 and Art. 2" in html
    assert "1 year" in html and "3 years" in html
    assert "1年" in portal.reader(None, "zh_CN").get("/lists").text


def test_a_list_shows_masked_entries_with_the_authority_and_its_terms(portal: Portal) -> None:
    listed(portal)
    html = portal.reader().get(f"/lists/{LIST}").text
    assert "3 active entries" in html
    assert "371082************" in html and "310101************" in html and ACME in html
    assert "male, aged 46" in html
    assert "Rongcheng People&#39;s Court" in html and "Shanghai Huangpu Court" in html
    assert "(2026)鲁1082执1号" in html and "1 June 2026" in html
    assert "until the exit condition is met" in html  # ground 1: until performance
    assert "Where “ground” is 1: until the exit condition is met" in html and "Otherwise: 2 years" in html
    assert "extends a still-active entry by 1 to 3 years" in html
    assert "The obligation is performed" in html  # the exit record's catalogue title
    assert "decided within 15 days of filing" in html and "10 working days" in html
    zh = portal.reader(None, "zh_CN").get(f"/lists/{LIST}").text
    assert "纳入失信被执行人名单" in zh and "荣成市" in zh and "2026年6月1日" in zh


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ({"region": "370000"}, ["371082****", ACME], ["310101****"]),
        ({"region": "371082"}, ["371082****", ACME], ["310101****"]),
        ({"region": "310000"}, ["310101****"], ["371082****", ACME]),
        ({"authority": "SH-COURT"}, ["310101****"], ["371082****", ACME]),
        ({"region": "370000", "authority": "SH-COURT"}, ["No active entry matches."], ["371082****"]),
        ({"region": "", "authority": ""}, ["371082****", "310101****", ACME], []),
    ],
)
def test_a_list_is_filtered_by_region_and_authority(
    portal: Portal, query: dict[str, str], shown: list[str], hidden: list[str]
) -> None:
    listed(portal)
    response = portal.reader().get(f"/lists/{LIST}", params=query)
    assert response.status_code == 200
    for text in shown:
        assert text in response.text
    for text in hidden:
        assert text not in response.text.split('<table class="table">', 1)[-1]
    if query.get("region"):
        assert f'<option value="{query["region"]}" selected>' in response.text


def test_a_list_is_paginated_keeping_its_filters(portal: Portal) -> None:
    listed(portal)
    reader = portal.reader()
    first = reader.get(f"/lists/{LIST}", params={"region": "370000", "limit": 1}).text
    assert "Showing 1 to 1 of 2" in first and "(2026)鲁1082执2号" in first  # newest first
    assert f'href="/lists/{LIST}?offset=1&amp;region=370000&amp;limit=1" rel="next"' in first
    second = reader.get(f"/lists/{LIST}", params={"region": "370000", "limit": 1, "offset": 1}).text
    assert "Showing 2 to 2 of 2" in second and "(2026)鲁1082执1号" in second and 'rel="prev"' in second
    assert 'rel="next"' not in second


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "100000"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1e3"}, "offset"),
        ({"region": "37"}, "region"),
        ({"region": "3700\x0000"}, "region"),
        ({"region": "%ED%A0%80"}, "region"),  # a lone surrogate, as a browser could send its bytes
        ({"region": "x" * 100}, "region"),
        ({"authority": "RC\x00COURT"}, "authority"),
        ({"authority": "A" * 65}, "authority"),
    ],
)
def test_bad_list_queries_are_a_page_naming_the_field(portal: Portal, query: dict[str, str], field: str) -> None:
    raw = "&".join(f"{k}={v}" for k, v in query.items() if "%" in v)
    reader = portal.reader()
    response = reader.get(f"/lists/{LIST}?{raw}") if raw else reader.get(f"/lists/{LIST}", params=query)
    assert response.status_code == 422
    assert "There is a problem with what you sent" in response.text
    assert re.search(rf"<td>[^<]*{field}</td>", response.text), response.text[-1500:]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/lists/no-such-list", 404),
        ("/lists/rongcheng", 404),
        ("/notices/no-such", 404),
        ("/schemes/nope", 404),
        ("/lists/" + "x" * 80, 422),
        ("/schemes/" + "x" * 80, 422),
    ],
)
def test_what_is_not_published_is_a_page_saying_so(portal: Portal, path: str, status: int) -> None:
    response = portal.reader().get(path)
    assert response.status_code == status
    assert problems(response.text) == []


def test_a_list_of_a_scheme_that_does_not_publish_it_is_not_found(portal: Portal) -> None:
    response = portal.reader().get("/lists/no-such-list")
    assert response.status_code == 404 and "Page not found" in response.text


def test_penalty_notices_show_their_fields_and_a_disputed_one_is_marked(portal: Portal) -> None:
    add_market_regulator(portal)
    w = portal.world
    w.submit(
        "market",
        penalty("P1", ALICE, "荣市监罚〔2026〕12号", 5000, violation="销售假冒商品", facts="售假", confiscated=1200),
        penalty("P2", BOB, "荣市监罚〔2026〕13号", 800),
    )
    w.object_to("alice", "rongcheng", record_target("RC-MARKET", "P1"), "not my shop")
    html = portal.reader().get("/notices/market-penalties").text
    assert "2 notices published today" in html
    assert "荣市监罚〔2026〕12号" in html and "5,000" in html and "Fine (yuan)" in html
    assert "销售假冒商品" in html and "Facts" in html and "Confiscated (yuan)" in html and "1,200" in html
    assert "<dt>violation</dt>" not in html
    assert "Rongcheng market supervision bureau" in html and "10 May 2026" in html and "10 May 2027" in html
    assert html.count("disputed: under objection") == 1
    assert ALICE not in html and BOB not in html and "371082************" in html
    zh = portal.reader(None, "zh_CN").get("/notices/market-penalties").text
    assert "罚款金额（元）" in zh and "违法事实" in zh and "没收违法所得（元）" in zh
    assert "异议中" in zh and "2027年5月10日" in zh
    paged = portal.reader().get("/notices/market-penalties", params={"limit": 1}).text
    assert "Showing 1 to 1 of 2" in paged
    assert portal.reader().get("/notices/market-penalties", params={"limit": "-3"}).status_code == 422


def test_a_scheme_in_plain_words(portal: Portal) -> None:
    html = portal.reader().get("/schemes/rongcheng").text
    assert "Rongcheng personal credit (persons)" in html and "2024.1" in html
    assert "Everyone starts at 1,000 points" in html
    assert "where “adjudicated” is yes" in html and "-50" in html and "5 years" in html
    assert "Volunteer" in html and "20" in html  # capped a year
    assert "a record scored by rule “drunk-driving” still counts" in html and "at most C" in html
    assert "1,050 or more" in html and "below the bands above" in html
    assert "given priority" in html and "while the grade is AAA / AA" in html
    assert "Administrative penalties for counterfeit goods" in html
    assert "A scheme with an audit error is never in operation" in html
    zh = portal.reader(None, "zh_CN").get("/schemes/rongcheng").text
    assert "“adjudicated”为是" in zh and "5年" in zh and "权利审查" in zh


def test_a_scheme_shows_its_lists_measures_catalogue_entries_and_every_audit_finding(portal: Portal) -> None:
    debtors = portal.reader().get("/schemes/judgment-debtors").text
    assert "List of dishonest judgment debtors (失信被执行人名单)" in debtors
    assert f'href="/lists/{LIST}"' in debtors and "Buying a flight ticket" in debtors and "not allowed" in debtors
    assert "the linked subject (legal-representative)" in debtors
    assert "court.dishonest_listing" in debtors and "court.obligation_performed" in debtors
    tax = portal.reader().get("/schemes/tax-credit").text
    audit = portal.world.ok(None, "GET", "/v1/schemes/tax-credit/audit")
    assert audit["findings"]
    for finding in audit["findings"]:
        assert finding["field"] in tax and finding["reason"] in tax
    assert "there is a record “A tax crime, transferred for prosecution”" in tax
    assert "the grade at the end of the previous year was D" in tax


def test_the_schemes_page_lists_every_scheme_with_its_audit(portal: Portal) -> None:
    html = portal.reader().get("/schemes").text
    for name in ("rongcheng", "judgment-debtors", "tax-credit", "market-publicity"):
        assert f'href="/schemes/{name}"' in html
    assert "0 errors, 2 warnings" in html


def test_the_catalogue_shows_types_by_category_and_what_is_never_recorded_or_imposed(portal: Portal) -> None:
    html = portal.reader().get("/catalogue").text
    assert "Listed as a dishonest judgment debtor" in html and "5 years" in html
    assert "People&#39;s courts" in html  # a competence
    for never in ("Biometric", "petition", "Religio", "shaming", "family"):
        assert never.lower() in html.lower(), never
    assert "illness, disability, pregnancy, blood type and genes are never scored" in html
    assert "Buying a flight ticket" in html and "may also reach an organization's legal representative" in html
    zh = portal.reader(None, "zh_CN").get("/catalogue").text
    assert "纳入失信被执行人名单" in zh and "株连家属" in zh and "生物识别信息" in zh


def test_the_transparency_page_counts_and_draws_the_figures(portal: Portal) -> None:
    w = portal.world
    listing = w.listing(ALICE, "C1")
    w.submit("court", listing)
    objection = w.object_to(
        "alice", "judgment-debtors", record_target("RC-COURT", listing["record_id"]),
        "settled before listing",
    )
    w.ok("reviewer", "POST", f"/v1/cases/{objection['reference']}/decision",
         json={"outcome": "upheld", "reasons": "Settlement on file."})  # fmt: skip
    html = portal.reader().get("/transparency").text  # the platform's current year
    assert 'value="2026"' in html and "1 January 2026" in html and "31 December 2026" in html
    row = html.split(f'href="/lists/{LIST}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'<td class="number">([^<]*)</td>', row)
    assert cells[:6] == ["0", "1", "1", "1", "0", "0"]  # the entry was corrected away
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 3 and "<title>" in html
    assert "How to read these figures" in html and "wrongful" in html
    month = portal.reader().get("/transparency", params={"period": "2026-06"}).text
    assert "30 June 2026" in month
    zh = portal.reader(None, "zh_CN").get("/transparency").text
    assert "如何理解这些数据" in zh and "异议成立" in zh


@pytest.mark.parametrize("period", ["2026-13", "26", "abcd", "2026-6", "3000", "2026\x00", "x" * 30, "%ED%A0%80"])
def test_a_bad_period_is_a_page_naming_the_field(portal: Portal, period: str) -> None:
    reader = portal.reader()
    raw = "%" in period  # a lone surrogate's bytes, sent as they are
    response = (
        reader.get(f"/transparency?period={period}") if raw else reader.get("/transparency", params={"period": period})
    )
    assert response.status_code == 422
    assert re.search(r"<td>[^<]*period</td>", response.text)


def test_how_to_object_names_each_schemes_route_and_deadlines(portal: Portal) -> None:
    html = portal.reader().get("/how-to-object").text
    for scheme in portal.world.ok(None, "GET", "/v1/schemes")["schemes"]:
        assert scheme["title"] in html
        assert f"{scheme['objection']['decided_within_days']} days of filing" in html
        assert scheme["objection"]["legal_basis"] in html
    assert "Apply in writing to the enforcing court" in html
    assert "suspended from use" in html and "10 working days" in html and "public credit commitment" in html
    assert 'href="/sign-in?next=/me"' in html
    signed_in = portal.reader("alice").get("/how-to-object").text
    assert 'href="/me"' in signed_in


@pytest.mark.parametrize("who", [None, "alice", "acme-1", "court", "seller", "reviewer", "operator"])
def test_every_reader_sees_the_same_public_pages_and_no_full_number(portal: Portal, who: str | None) -> None:
    listed(portal)
    reader = portal.reader(who)
    for path in PAGES:
        response = reader.get(path)
        assert response.status_code == 200, (who, path)
        assert ALICE not in response.text and SHANGHAI_PERSON not in response.text


@pytest.mark.parametrize("path", ["/lists", f"/lists/{LIST}", "/transparency", "/how-to-object"])
def test_the_public_pages_take_no_form_posts(portal: Portal, path: str) -> None:
    reader = portal.reader()
    assert reader.post(path, {"period": "2026"}).status_code == 405
    forged = reader.client.post(path, data={"csrf": "forged"}, headers={"Accept-Language": "en"})
    assert forged.status_code == 405 and "<h1>" in forged.text


def test_the_api_takes_the_same_filters(portal: Portal) -> None:
    listed(portal)
    w = portal.world
    found = w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries", params={"region": "310000"})
    assert found["total"] == 1 and found["items"][0]["subject"] == "310101************"
    assert {r["code"] for r in found["choices"]["regions"]} >= {"370000", "371000", "371082", "310000"}
    assert w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries", params={"authority": "RC-COURT"})["total"] == 2
    assert w.call(None, "GET", f"/v1/public/lists/{LIST}/entries", params={"region": "37"}).status_code == 422
