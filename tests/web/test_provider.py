"""The service provider's page: a decision with its reason codes and reference, never the file; a refusal says
the person can see why with the reference; only the provider's own actions and decisions."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALICE, BOB
from tests.web.conftest import Portal


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
