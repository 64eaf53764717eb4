"""The service provider's page: a decision with its reason codes and reference, never the file; a refusal says
the person can see why with the reference; only the provider's own actions and decisions."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALICE, BOB
from tests.web.conftest import Portal
from tests.web.structure import problems


def ask(portal: Portal, who: str, subject: str, action: str, language: str = "en") -> str:
    reader = portal.reader(who, language)
    response = reader.post("/provider/decide", {"subject_id": subject, "action": action})
    assert response.status_code == 303, response.text
    return response.headers["location"]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_refused_decision_gives_the_reference_to_see_why_and_not_the_file(portal: Portal, language: str) -> None:
    w = portal.world
    w.submit("court", w.listing(ALICE, "(2026)鲁1082执5号"))
    page = portal.reader("seller", language).get(ask(portal, "seller", ALICE, "buy_air_ticket", language))
    assert page.status_code == 200
    assert ("Not allowed" in page.text) == (language == "en")
    assert "D-" in page.text and "judgment-debtors" in page.text
    assert ALICE not in page.text and "鲁1082执5号" not in page.text  # no file, no full number
    if language == "en":
        assert "They can see why by signing in to this site with it" in page.text


def test_an_allowed_decision_says_so(portal: Portal) -> None:
    page = portal.reader("seller").get(ask(portal, "seller", BOB, "buy_g_train_ticket"))
    assert "Allowed" in page.text and "Tell the person" not in page.text


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"subject_id": "", "action": "buy_air_ticket"}, 422),
        ({"subject_id": "110101199001011234", "action": "buy_air_ticket"}, 422),
        ({"subject_id": ALICE, "action": "public_bidding"}, 403),
        ({"subject_id": ALICE + "\x00", "action": "buy_air_ticket"}, 422),
        ({"subject_id": "1" * 65, "action": "buy_air_ticket"}, 422),
        ({"subject_id": ALICE}, 422),
    ],
)
def test_bad_queries_are_refused(portal: Portal, data: dict[str, str], status: int) -> None:
    assert portal.reader("seller").post("/provider/decide", data).status_code == status


def test_a_forged_form_and_other_parties_are_refused(portal: Portal) -> None:
    seller = portal.reader("seller")
    forged = seller.client.post("/provider/decide", data={"csrf": "x", "subject_id": ALICE, "action": "buy_air_ticket"})
    assert forged.status_code == 403
    location = ask(portal, "seller", ALICE, "buy_air_ticket")
    assert portal.reader("bank").get(location).status_code == 404  # another provider's decision
    for who in ("alice", "court", "reviewer", "operator"):
        reader = portal.reader(who)
        assert reader.get("/provider").status_code == 403
        assert reader.get(location).status_code == 403
        assert reader.post("/provider/decide", {"subject_id": ALICE, "action": "buy_air_ticket"}).status_code == 403
    assert portal.reader().get("/provider").status_code == 303


def test_the_form_offers_only_the_providers_own_actions(portal: Portal) -> None:
    page = portal.reader("portal").get("/provider")
    assert 'value="public_bidding"' in page.text and "buy_air_ticket" not in page.text


def pages_of(portal: Portal) -> list[tuple[str, str]]:
    """(who, path) for every page of this part, with something on each."""
    w = portal.world
    w.submit("court", w.listing(ALICE, "C-9"))
    clerk = portal.reader("court")
    body = b"record_id,subject_id,type,occurred_at,case_no,ground\nL9," + ALICE.encode()
    kept = clerk.post(
        "/authority/upload", files={"file": ("a.csv", body + b",court.dishonest_listing,2026-06-01,C,1\n")}
    )
    bad = clerk.post(
        "/authority/upload", files={"file": ("b.csv", body + b",court.dishonest_listing,2026-06-01,C,9\n")}
    )
    committed = clerk.post(
        "/authority/upload", files={"file": ("c.csv", body + b",court.dishonest_listing,2026-06-01,C,1\n")}
    )
    receipt = clerk.post(committed.headers["location"] + "/commit").headers["location"]
    operator = portal.reader("operator")
    proposal = operator.post("/operator/schemes/audit", {"text": "scheme: ["}).headers["location"]
    return [
        ("court", "/authority"),
        ("court", "/authority/upload"),
        ("court", kept.headers["location"]),
        ("court", bad.headers["location"]),
        ("court", receipt),
        ("court", "/authority/lists"),
        ("court", "/authority/submitted"),
        ("operator", "/operator"),
        ("operator", "/operator/audit"),
        ("operator", "/operator/schemes/audit"),
        ("operator", proposal),
        ("seller", "/provider"),
        ("seller", ask(portal, "seller", ALICE, "buy_air_ticket")),
    ]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_page_of_this_part_is_well_formed(portal: Portal, language: str) -> None:
    for who, path in pages_of(portal):
        response = portal.reader(who, language).get(path)
        assert response.status_code == 200, (path, response.text[:500])
        html = response.text
        assert "<script" not in html and "style=" not in html, path
        assert ALICE not in html, path
        assert problems(html) == [], path
