"""Credit reports as PDF files and the verification page: the file parses and its text holds the name or number,
the reference and the day in the reader's language; the same reference gives the same bytes; a tampered file
fails; a person cannot have another's report; bad input and forged forms are refused."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from typing import Any

import pytest
from pypdf import PdfReader

from socialcredit.errors import NotFound
from socialcredit.service.public_views import mask_subject
from tests.api.conftest import ACME, ALICE, BOB
from tests.web.conftest import Portal
from tests.web.structure import problems

DAY = {"en": "30 June 2026", "zh_CN": "2026年6月30日"}
TITLE = {"en": "Own credit report", "zh_CN": "本人信用报告"}
RECORD_TITLE = {"en": "Listed as a dishonest judgment debtor", "zh_CN": "纳入失信被执行人名单"}
"""The catalogue's title of the record behind the listing, in the report's language."""
ORG_TITLE = {"en": "Public credit report", "zh_CN": "公共信用信息报告"}
NAME = "荣成示例科技有限公司"


class StandInRegistry:
    """What the registry's view returns for an organization (its own tests are elsewhere)."""

    def organization(self, code: str) -> Mapping[str, Any]:
        if code != ACME:
            raise NotFound(f"no organization {code!r}")
        return {
            "code": ACME,
            "name": NAME,
            "entity_type": "limited company",
            "registered": "2019-03-01",
            "registered_by": "RC-REGISTRY",
            "registered_by_name": "Rongcheng market regulator",
            "legal_representative": "王*",
            "as_of": "2026-06-30",
            "notices": [
                {
                    "kind": "penalty",
                    "party": NAME,
                    "code": ACME,
                    "decision_no": "荣市监罚〔2026〕12号",
                    "violation": "false advertising",
                    "facts": "claimed an award it never received",
                    "legal_basis": "Anti-Unfair Competition Law, Art. 20",
                    "penalty": "fine",
                    "amount": 20000,
                    "day": "2026-05-01",
                    "authority": "RC-REGISTRY",
                    "authority_name": "Rongcheng market regulator",
                    "published_until": "2029-05-01",
                    "disputed": False,
                }
            ],
            "list_entries": [],
            "ratings": [{"scheme": "tax", "label": "Tax credit rating", "grade": "A", "period": "2025"}],
        }


@pytest.fixture
def registry(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = portal.world.client.app.state.portal.platform
    monkeypatch.setattr(platform, "registry", StandInRegistry(), raising=False)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Text without white space: a table cell wraps where it must, in either language."""
    return "".join(text.split())


def listed(portal: Portal) -> None:
    world = portal.world
    world.submit("court", world.listing(ALICE, "(2026)鲁1082执1号"))


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_persons_own_report_holds_the_number_the_reference_and_the_day(portal: Portal, language: str) -> None:
    listed(portal)
    response = portal.reader("alice", language).get("/me/report.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "no-store" in response.headers["cache-control"]
    reference = response.headers["x-report-reference"]
    assert re.fullmatch(r"CR-[0-9A-F]{12}", reference)
    assert response.headers["x-report-sha256"] == hashlib.sha256(response.content).hexdigest()
    text = text_of(response.content)
    for words in (ALICE, reference, DAY[language], TITLE[language], RECORD_TITLE[language], f"/verify/{reference}"):
        assert flat(words) in flat(text), words
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert all(reference in page.extract_text() for page in pages)  # on every page


def test_the_same_reference_gives_the_same_bytes(portal: Portal) -> None:
    listed(portal)
    alice = portal.reader("alice")
    first = alice.get("/me/report.pdf")
    second = alice.get("/me/report.pdf")
    assert second.headers["x-report-reference"] == first.headers["x-report-reference"]
    assert second.content == first.content
    again = alice.get(f"/reports/{first.headers['x-report-reference']}.pdf")
    assert again.status_code == 200 and again.content == first.content
    portal.world.advance(1)
    later = alice.get("/me/report.pdf")
    assert later.headers["x-report-reference"] != first.headers["x-report-reference"]
    assert alice.get(f"/reports/{first.headers['x-report-reference']}.pdf").content == first.content


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 403), ("reviewer", 403), ("court", 403), ("operator", 403), (None, 403)],
)
def test_no_one_else_has_a_persons_report(portal: Portal, who: str | None, status: int) -> None:
    reference = portal.reader("alice").get("/me/report.pdf").headers["x-report-reference"]
    response = portal.reader(who).get(f"/reports/{reference}.pdf")
    assert response.status_code == status
    assert ALICE not in response.text
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]
    assert any(r["action"] == "report.read" for r in refusals)


@pytest.mark.parametrize(("who", "status"), [("reviewer", 403), ("court", 403), ("seller", 403)])
def test_a_party_without_a_file_has_no_own_report(portal: Portal, who: str, status: int) -> None:
    response = portal.reader(who).get("/me/report.pdf")
    assert response.status_code == status
    refusals = portal.world.ok("operator", "GET", "/v1/operator/refusals")["items"]
    assert any(r["action"] == "report.own" and r["party"] == who for r in refusals)


def test_the_public_is_asked_to_sign_in_for_its_own_report(portal: Portal) -> None:
    response = portal.reader().get("/me/report.pdf")
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")


def test_bobs_report_is_bobs_and_reading_ones_own_is_logged(portal: Portal) -> None:
    listed(portal)
    response = portal.reader("bob").get("/me/report.pdf")
    text = text_of(response.content)
    assert BOB in text and ALICE not in text
    log = portal.world.ok("bob", "GET", f"/v1/subjects/{BOB}/access-log")["items"]
    assert {"file.read", "report.issue"} <= {row["action"] for row in log}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_an_organizations_report_for_anyone(portal: Portal, registry: None, language: str) -> None:
    response = portal.reader(None, language).get(f"/organizations/{ACME}/report.pdf")
    assert response.status_code == 200, response.text
    reference = response.headers["x-report-reference"]
    text = text_of(response.content)
    for words in (NAME, ACME, reference, DAY[language], ORG_TITLE[language], "荣市监罚〔2026〕12号"):
        assert words in text, words
    page = portal.reader(None, language).get(f"/verify/{reference}")
    assert page.status_code == 200 and NAME in page.text and ACME in page.text
    assert portal.reader("bob").get(f"/reports/{reference}.pdf").content == response.content


@pytest.mark.parametrize(("code", "status"), [(ALICE, 404), ("91" + "0" * 16, 422), ("x" * 300, 422)])
def test_an_organizations_report_of_no_organization(portal: Portal, registry: None, code: str, status: int) -> None:
    assert portal.reader().get(f"/organizations/{code}/report.pdf").status_code == status


def test_verifying_a_persons_report_with_its_file_and_a_tampered_one(portal: Portal) -> None:
    listed(portal)
    report = portal.reader("alice").get("/me/report.pdf")
    reference = report.headers["x-report-reference"]
    public = portal.reader()
    posted = public.post(
        "/verify", {"reference": reference}, files={"file": ("r.pdf", report.content, "application/pdf")}
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/verify/{reference}?sha256={hashlib.sha256(report.content).hexdigest()}"
    page = public.get(posted.headers["location"])
    assert page.status_code == 200 and "The file matches" in page.text
    assert mask_subject(ALICE) in page.text and ALICE not in page.text
    tampered = report.content.replace(b"/Producer", b"/Producex")
    posted = public.post("/verify", {"reference": reference}, files={"file": ("r.pdf", tampered, "application/pdf")})
    page = public.get(posted.headers["location"])
    assert "The file does not match" in page.text and "The file matches" not in page.text
    plain = public.get(f"/verify/{reference}")
    assert "The file matches" not in plain.text and "does not match" not in plain.text


def test_verifying_in_chinese(portal: Portal) -> None:
    reference = portal.reader("alice").get("/me/report.pdf").headers["x-report-reference"]
    page = portal.reader(None, "zh_CN").get(f"/verify/{reference}")
    assert (
        page.status_code == 200
        and '<html lang="zh-CN">' in page.text
        and "出具时间" in page.text
        and "信用主体本人信用报告" in page.text
    )


def test_the_verification_form_and_a_reference_in_the_address(portal: Portal) -> None:
    public = portal.reader()
    form = public.get("/verify")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text and 'name="csrf"' in form.text
    assert public.get("/verify?reference=cr-0123456789ab").headers["location"] == "/verify/CR-0123456789AB"
    assert public.get("/verify?reference=nonsense").status_code == 422


def test_an_unknown_reference_says_so(portal: Portal) -> None:
    response = portal.reader().get("/verify/CR-0123456789AB")
    assert response.status_code == 404 and "No report under this reference" in response.text
    assert portal.reader().get("/reports/CR-0123456789AB.pdf").status_code == 404


@pytest.mark.parametrize(
    "reference",
    ["", "CR-1", "CR-0123456789AB\x00", "x" * 5000, "CR-0123456789ZZ"],
)
def test_a_bad_reference_is_shown_again_with_the_problem(portal: Portal, reference: str) -> None:
    response = portal.reader().post("/verify", {"reference": reference})
    assert response.status_code == 422
    assert "The report could not be looked up" in response.text and "\x00" not in response.text


@pytest.mark.parametrize("raw", [b"CR-%ED%A0%80%ED%A0%80", b"CR-%FF%FE", b"CR-0123456789A%00"])
def test_a_reference_that_is_not_text_is_refused(portal: Portal, raw: bytes) -> None:
    public = portal.reader()
    body = b"csrf=" + public.csrf().encode() + b"&reference=" + raw
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    response = public.client.post("/verify", content=body, headers=headers)
    assert response.status_code == 422
    assert "\x00" not in response.text


def test_a_bad_sha256_in_the_address_is_bad_input(portal: Portal) -> None:
    reference = portal.reader("alice").get("/me/report.pdf").headers["x-report-reference"]
    assert portal.reader().get(f"/verify/{reference}?sha256=zz").status_code == 422


def test_an_oversize_file_is_refused(portal: Portal) -> None:
    reference = portal.reader("alice").get("/me/report.pdf").headers["x-report-reference"]
    big = b"%PDF" + b"x" * (5 * 1024 * 1024 + 10)
    response = portal.reader().post(
        "/verify", {"reference": reference}, files={"file": ("r.pdf", big, "application/pdf")}
    )
    assert response.status_code in (413, 422)


def test_a_forged_form_is_refused(portal: Portal) -> None:
    public = portal.reader()
    public.get("/verify")
    response = public.client.post("/verify", data={"reference": "CR-0123456789AB", "csrf": "forged"})
    assert response.status_code == 403


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_pages_are_well_formed_without_script_or_style(portal: Portal, registry: None, language: str) -> None:
    own = portal.reader("alice").get("/me/report.pdf")
    org = portal.reader().get(f"/organizations/{ACME}/report.pdf").headers["x-report-reference"]
    reference, digest = own.headers["x-report-reference"], own.headers["x-report-sha256"]
    paths = [
        "/verify",
        "/verify?reference=nonsense",
        f"/verify/{reference}",
        f"/verify/{reference}?sha256={digest}",
        f"/verify/{reference}?sha256={'0' * 64}",
        f"/verify/{org}",
        "/verify/CR-0123456789AB",
    ]
    for path in paths:
        text = portal.reader(None, language).get(path).text
        assert "<script" not in text, path
        assert ALICE not in text, path
        assert problems(text) == [], path


class LongRegistry(StandInRegistry):
    """An organization with many notices: a report of several pages."""

    def organization(self, code: str) -> Mapping[str, Any]:
        out = dict(super().organization(code))
        out["notices"] = [dict(out["notices"][0], decision_no=f"荣市监罚〔2026〕{n}号") for n in range(25)]
        return out


def test_every_page_carries_the_reference_and_the_address(portal: Portal, monkeypatch: pytest.MonkeyPatch) -> None:
    platform = portal.world.client.app.state.portal.platform
    monkeypatch.setattr(platform, "registry", LongRegistry(), raising=False)
    response = portal.reader(None, "zh_CN").get(f"/organizations/{ACME}/report.pdf")
    reference = response.headers["x-report-reference"]
    pages = PdfReader(io.BytesIO(response.content)).pages
    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert reference in text and f"/verify/{reference}" in text and f"第 {number} 页" in text
    assert "荣市监罚〔2026〕24号" in text_of(response.content)
