"""The organization pages: search by name or code, an organization's public credit page, and the person lookup
(full number and name, limits stated, the number never echoed in full) — in both languages, well formed, and
with bad input, forged forms and every role."""

from __future__ import annotations

from typing import Any

import pytest

from socialcredit.authorities import Authority
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.service.public_views import mask_subject
from tests.api.conftest import ACME, ALICE, BOB, record_target
from tests.factories import organization
from tests.web.conftest import Portal
from tests.web.structure import problems
from tests.web.test_reports import flat, text_of

NAME = "荣成市海达水产有限公司"
OTHER = organization(2)
ROLES = [None, "alice", "acme-1", "court", "seller", "reviewer", "operator"]


def registered(portal: Portal, code: str = ACME, name: str = NAME, day: str = "2019-03-01") -> None:
    w = portal.world
    w.submit(
        "registry",
        {
            "record_id": w.fresh_id("G"),
            "subject_id": code,
            "type": "registry.registered",
            "occurred_at": day,
            "attributes": {"name": name, "entity_type": "有限责任公司（自然人投资或控股）"},
            "legal_basis": "Regulation on the Administration of Market Entity Registration (2021), Art. 3",
        },
        {
            "record_id": w.fresh_id("G"),
            "subject_id": code,
            "type": "registry.legal_representative",
            "occurred_at": day,
            "attributes": {"person_id": BOB},
            "legal_basis": "Regulation on the Administration of Market Entity Registration (2021), Art. 8",
        },
    )


def named_listing(portal: Portal) -> None:
    """Alice listed, with the name the court publishes."""
    w = portal.world
    record = w.listing(ALICE, "(2026)鲁1082执1号")
    record["attributes"]["name"] = "张三"
    w.submit("court", record)


def well_formed(html: str, language: str) -> None:
    assert f'<html lang="{"zh-CN" if language == "zh_CN" else "en"}">' in html
    assert "<script" not in html
    assert problems(html) == []
    assert ALICE not in html and BOB not in html


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_is_one_accessible_document_in_its_language(portal: Portal, language: str) -> None:
    registered(portal)
    named_listing(portal)
    reader = portal.reader(None, language)
    for path in ["/search", "/search?q=海达", f"/search?q={ACME}", "/search?q=x", f"/organizations/{ACME}", "/lookup"]:
        response = reader.get(path)
        assert response.status_code in (200, 422), (path, response.text[-1500:])
        well_formed(response.text, language)
    for data in ({"subject_id": ALICE, "name": "张三"}, {"subject_id": ALICE, "name": "李四"}, {"subject_id": ""}):
        response = reader.post("/lookup", data)
        assert response.status_code in (200, 422)
        well_formed(response.text, language)


def test_search_finds_by_name_and_by_code_and_links_the_page(portal: Portal) -> None:
    registered(portal)
    registered(portal, OTHER, "荣成市宏泰物流有限公司", "2022-01-05")
    reader = portal.reader()
    html = reader.get("/search", params={"q": "荣成市"}).text
    assert html.index("荣成市宏泰物流有限公司") < html.index(NAME)  # newest registration first
    assert f'href="/organizations/{ACME}"' in html and "2 organizations found" in html
    html = reader.get("/search", params={"q": ACME.lower()}).text
    assert NAME in html and "宏泰" not in html


def test_search_pages_through_many_results_keeping_the_query(portal: Portal) -> None:
    for n in range(1, 24):
        registered(portal, organization(n), f"荣成市海达{n:02d}有限公司", f"2020-01-{n:02d}")
    reader = portal.reader()
    first = reader.get("/search", params={"q": "海达"}).text
    assert "Showing 1 to 20 of 23" in first and 'rel="next"' in first
    second = reader.get("/search", params={"q": "海达", "offset": 20}).text
    assert "Showing 21 to 23 of 23" in second and "荣成市海达01有限公司" in second


@pytest.mark.parametrize(
    ("q", "says", "status"),
    [
        ("没有这个名字", "No organization registered on this platform matches", 200),
        (OTHER, "No organization registered on this platform matches", 200),
        ("海", "at least 2 characters", 422),
        ("91371082MA3C00000X", "unified social credit code", 422),
        ("x" * 150, "at most 100 characters", 422),
        ("海\x00达", "cannot be part of a name", 422),
    ],
)
def test_a_search_without_results_or_that_cannot_run_says_so(portal: Portal, q: str, says: str, status: int) -> None:
    registered(portal)
    response = portal.reader().get("/search", params={"q": q})
    assert response.status_code == status and says in response.text


def test_a_lone_surrogate_or_oversize_query_is_refused(portal: Portal) -> None:
    reader = portal.reader()
    # Bytes that are no UTF-8 (an encoded lone surrogate) arrive as replacement characters: searched, found nothing.
    response = reader.get("/search?q=%ED%A0%80%E6%B5%B7")
    assert response.status_code == 200 and "No organization registered" in response.text
    assert reader.get("/search", params={"q": "x" * 300}).status_code == 422


def test_the_public_credit_page_shows_registration_notices_entries_and_the_report_link(portal: Portal) -> None:
    registered(portal)
    w = portal.world
    w.submit("court", w.listing(ACME, "(2026)鲁1082执2号"))
    html = portal.reader().get(f"/organizations/{ACME}").text
    for text in (NAME, ACME, "有限责任公司（自然人投资或控股）", "Rongcheng market regulator", mask_subject(BOB)):
        assert text in html, text
    assert "(2026)鲁1082执2号" in html and "Rongcheng People&#39;s Court" in html
    assert f'href="/organizations/{ACME}/report.pdf"' in html and 'href="/how-to-object"' in html
    assert "30 June 2026" in html  # the page's date
    assert "No penalty or licensing notice" in html and "No published rating" in html


def test_the_chinese_page_uses_the_catalogues_chinese(portal: Portal) -> None:
    registered(portal)
    html = portal.reader(None, "zh_CN").get(f"/organizations/{ACME}").text
    assert "登记信息" in html and "统一社会信用代码" in html and "2026年6月30日" in html


@pytest.mark.parametrize(
    ("code", "status"), [(OTHER, 404), ("91371082MA3C00000X", 422), ("nonsense", 422), ("x" * 41, 422)]
)
def test_no_page_for_an_unregistered_or_invalid_code(portal: Portal, code: str, status: int) -> None:
    assert portal.reader().get(f"/organizations/{code}").status_code == status


@pytest.mark.parametrize("who", ROLES)
def test_every_reader_sees_the_same_public_pages(portal: Portal, who: str | None) -> None:
    registered(portal)
    reader = portal.reader(who)
    assert reader.get(f"/organizations/{ACME}").status_code == 200
    assert reader.get("/search", params={"q": "海达"}).status_code == 200
    assert reader.get("/lookup").status_code == 200


def test_the_lookup_states_its_limits(portal: Portal) -> None:
    html = portal.reader().get("/lookup").text
    for text in ("full identity number", "limited", "never says whether the number or the name", "access log"):
        assert text in html, text


@pytest.mark.parametrize(("name", "listed"), [("张三", True), (" 张 三 ", True), ("李四", False)])
def test_the_lookup_answers_with_the_number_masked(portal: Portal, name: str, listed: bool) -> None:
    named_listing(portal)
    response = portal.reader().post("/lookup", {"subject_id": ALICE, "name": name})
    assert response.status_code == 200
    html = response.text
    assert ALICE not in html and mask_subject(ALICE) in html
    assert ("the name you gave is on a published list" in html) is listed
    assert ("No published list entry was found" in html) is not listed
    if listed:
        assert "(2026)鲁1082执1号" in html and "Rongcheng People&#39;s Court" in html


def test_a_lookup_that_finds_someone_is_in_their_access_log(portal: Portal) -> None:
    named_listing(portal)
    portal.reader().post("/lookup", {"subject_id": ALICE, "name": "张三"})
    log = portal.world.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")
    assert any("lookup" in str(item).lower() for item in log["items"])


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "张三"}, "full identity number"),
        ({"subject_id": ALICE}, "the person&#39;s name"),
        ({"subject_id": "12345", "name": "张三"}, "resident identity number"),
        ({"subject_id": ALICE[:-1] + "\x00", "name": "张三"}, "at most 40 characters"),
        ({"subject_id": "9" * 41, "name": "张三"}, "at most 40 characters"),
        ({"subject_id": ALICE, "name": "张" * 101}, "a name of at most 100"),
    ],
)
def test_bad_lookups_are_named_and_nothing_is_echoed(portal: Portal, data: dict[str, Any], field: str) -> None:
    response = portal.reader().post("/lookup", data)
    assert response.status_code in (400, 422)
    if response.status_code == 422:
        assert field in response.text
        assert ALICE not in response.text and "12345" not in response.text


def test_a_lookup_of_bytes_that_are_no_text_is_answered_and_not_echoed(portal: Portal) -> None:
    reader = portal.reader()
    body = f"csrf={reader.csrf()}&subject_id={ALICE}&name=%ED%A0%80%00"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = reader.client.post("/lookup", content=body.encode(), headers=headers)
    assert response.status_code == 422 and "a name of at most 100" in response.text and ALICE not in response.text


def test_a_forged_lookup_form_is_refused(portal: Portal) -> None:
    reader = portal.reader()
    reader.csrf()
    response = reader.client.post("/lookup", data={"csrf": "forged", "subject_id": ALICE, "name": "张三"})
    assert response.status_code == 403


def test_lookups_are_rate_limited_per_address(portal: Portal) -> None:
    reader = portal.reader()
    statuses = [reader.post("/lookup", {"subject_id": BOB, "name": "王五"}).status_code for _ in range(12)]
    assert statuses[0] == 200 and statuses[-1] == 429


def add_tax_bureau(portal: Portal) -> None:
    """An authority that may issue tax records (the API tests' world has none)."""
    store = portal.world.store
    store.add_authority(Authority("RC-TAX", "Rongcheng Taxation Bureau", "371082", ("tax.*",)))
    add_party(store, Party("tax", Role.AUTHORITY, "Tax clerk", authority="RC-TAX"))
    portal.world.tokens["tax"] = issue_token(store, "tax")


def test_a_notice_under_objection_is_marked_and_gone_once_the_decision_is_overdue(portal: Portal) -> None:
    registered(portal)
    add_tax_bureau(portal)
    w = portal.world
    evasion = {
        "record_id": "T1",
        "subject_id": ACME,
        "type": "tax.evasion",
        "occurred_at": "2026-05-10",
        "attributes": {"amount": 250000, "share_of_tax_due": 0.3},
        "legal_basis": "Tax Collection and Administration Law, Art. 63",
        "source_ref": "荣税稽罚〔2026〕7号",
    }
    w.submit("tax", evasion)
    html = portal.reader().get(f"/organizations/{ACME}").text
    for text in ("荣税稽罚〔2026〕7号", "250,000", "Rongcheng Taxation Bureau", "10 May 2026", "10 May 2029"):
        assert text in html, text
    assert "disputed: under objection" not in html
    w.object_to("acme-1", "tax-credit", record_target("RC-TAX", "T1"), "the amount is wrong")
    assert "disputed: under objection" in portal.reader().get(f"/organizations/{ACME}").text
    w.advance(40)  # the objection is not decided in time: the record is out of use, and so is its notice
    html = portal.reader().get(f"/organizations/{ACME}").text
    assert "荣税稽罚〔2026〕7号" not in html and "No penalty or licensing notice" in html


def add_market_regulator(portal: Portal) -> None:
    """The market regulator, licensing and penalising (the API tests' world has none)."""
    store = portal.world.store
    name = "Rongcheng Administration for Market Regulation"
    store.add_authority(Authority("RC-SAMR", name, "371082", ("commerce.*", "licence.*")))
    add_party(store, Party("samr", Role.AUTHORITY, "Market clerk", authority="RC-SAMR"))
    portal.world.tokens["samr"] = issue_token(store, "samr")


LICENCE = {
    "record_id": "LIC1",
    "subject_id": ACME,
    "type": "licence.granted",
    "occurred_at": "2026-05-20",
    "attributes": {
        "licence_no": "JY13710820077664",
        "licence_name": "食品经营许可证",
        "content": "经营项目：预包装食品销售（含冷藏冷冻食品）",
        "valid_from": "2026-05-20",
        "valid_until": "2031-05-19",
    },
    "legal_basis": "Administrative Licensing Law (2019), Art. 38",
    "source_ref": "鲁1082市监许〔2026〕200000203号",
}


def market_penalty(record_id: str, subject: str, day: str, fine: int, decision_no: str) -> dict[str, Any]:
    return {
        "record_id": record_id,
        "subject_id": subject,
        "type": "commerce.counterfeit_goods",
        "occurred_at": day,
        "attributes": {
            "fine": fine,
            "violation": "在产品中掺杂、掺假，以假充真、以次充好",
            "facts": f"经查，当事人以次充好销售即食海参，货值金额{fine // 2}元。",
            "penalty": "没收违法所得，并处罚款",
        },
        "legal_basis": "Product Quality Law, Art. 50",
        "source_ref": decision_no,
    }


PUBLICITY = [  # (publication, decision number, published until)
    ("administrative-licences", "鲁1082市监许〔2026〕200000203号", "2029-05-20"),
    ("organization-market-penalties", "鲁1082市监罚〔2026〕200000701号", "2027-05-10"),
    ("serious-market-penalties", "鲁1082市监罚〔2025〕200000702号", "2028-08-01"),
]


def publicised(portal: Portal) -> None:
    """ACME registered, licensed, penalised once (general) and once seriously; Alice penalised as a person."""
    registered(portal)
    add_market_regulator(portal)
    portal.world.submit(
        "samr",
        LICENCE,
        market_penalty("PEN1", ACME, "2026-05-10", 50_000, PUBLICITY[1][1]),
        market_penalty("PEN2", ACME, "2025-08-01", 1_200_000, PUBLICITY[2][1]),
        market_penalty("PEN3", ALICE, "2026-05-11", 8_000, "鲁1082市监罚〔2026〕100000101号"),
    )


@pytest.mark.parametrize(("publication", "decision_no", "until"), PUBLICITY)
def test_an_organizations_licences_and_penalties_are_published_for_their_periods(
    portal: Portal, publication: str, decision_no: str, until: str
) -> None:
    publicised(portal)
    w = portal.world
    found = w.ok(None, "GET", f"/v1/public/publications/{publication}/notices")
    assert found["total"] == 1, found  # one notice each: the person's penalty is not an organization's
    (notice,) = found["items"]
    assert notice["subject"] == ACME and notice["party_name"] == NAME and notice["kind"] == "organization"
    assert notice["document"] == decision_no and notice["published_until"] == until
    assert notice["issued_by_name"] == "Rongcheng Administration for Market Regulation"
    html = portal.reader().get(f"/notices/{publication}").text
    assert NAME in html and f'href="/organizations/{ACME}"' in html and decision_no in html
    assert problems(html) == [] and ALICE not in html
    kinds = {p["publication_id"]: p for p in w.ok(None, "GET", "/v1/public/publications")["publications"]}
    assert kinds[publication]["scheme"] == "market-publicity@2025.1"


def test_the_licence_notice_shows_the_licence_in_both_languages(portal: Portal) -> None:
    publicised(portal)
    html = portal.reader().get("/notices/administrative-licences").text
    shown = ("食品经营许可证", "JY13710820077664", "What it permits", "预包装食品销售", "Valid until", "19 May 2031")
    for text in shown:
        assert text in html, text
    assert "Type of violation" not in html and "20 May 2029" in html
    zh = portal.reader(None, "zh_CN").get("/notices/administrative-licences").text
    assert "许可内容" in zh and "有效期至" in zh and "2031年5月19日" in zh


def test_the_public_credit_page_shows_every_standard_field_of_each_notice(portal: Portal) -> None:
    publicised(portal)
    html = portal.reader().get(f"/organizations/{ACME}").text
    assert "No penalty or licensing notice" not in html
    for text in (
        "Licence JY13710820077664", "食品经营许可证", "预包装食品销售", "19 May 2031",  # the licence
        "Penalty decision 鲁1082市监罚〔2026〕200000701号", "以假充真", "当事人以次充好销售即食海参",
        "没收违法所得，并处罚款", "50,000", "1,200,000", "Product Quality Law, Art. 50",  # the penalties
        "10 May 2026", "10 May 2027", "1 August 2028", "Rongcheng Administration for Market Regulation",
    ):  # fmt: skip
        assert text in html, text
    assert html.count(f"<dd>{NAME}</dd>") == 1 + 3 and html.count(f'<dd class="mono">{ACME}</dd>') >= 3
    assert "鲁1082市监罚〔2026〕100000101号" not in html  # the person's penalty is on no organization's page
    zh = portal.reader(None, "zh_CN").get(f"/organizations/{ACME}").text
    assert "许可证JY13710820077664" in zh and "许可证编号" in zh and "违法事实" in zh


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_credit_report_holds_the_licence_and_the_penalties(portal: Portal, language: str) -> None:
    publicised(portal)
    response = portal.reader(None, language).get(f"/organizations/{ACME}/report.pdf")
    assert response.status_code == 200, response.text
    text = flat(text_of(response.content))
    shown = ("JY13710820077664", "食品经营许可证", "预包装食品销售", PUBLICITY[1][1], PUBLICITY[2][1], "1,200,000")
    for words in shown:
        assert flat(words) in text, words
    assert flat({"en": "What it permits", "zh_CN": "许可内容"}[language]) in text
