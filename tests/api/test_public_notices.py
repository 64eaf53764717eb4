"""Penalty notices: published as the scheme says, masked, and taken down at the end of their period."""

from __future__ import annotations

from socialcredit.authorities import Authority
from socialcredit.service.parties import Party, Role, add_party, issue_token
from tests.api.conftest import ALICE, World


def samr(world: World) -> str:
    world.store.add_authority(Authority("RC-SAMR", "Rongcheng market regulator", "371082", ("commerce.*",)))
    add_party(world.store, Party("samr", Role.AUTHORITY, "Market regulation clerk", authority="RC-SAMR"))
    world.tokens["samr"] = issue_token(world.store, "samr")
    return "samr"


def test_a_penalty_is_published_masked_and_taken_down_by_itself(world: World) -> None:
    clerk = samr(world)
    world.submit(
        clerk,
        {
            "record_id": "SAMR-2026-1",
            "subject_id": ALICE,
            "type": "commerce.counterfeit_goods",
            "occurred_at": "2026-06-01",
            "source_ref": "荣市监罚〔2026〕1号",
            "legal_basis": "Product Quality Law, Art. 50",
        },
    )
    listed = world.ok(None, "GET", "/v1/public/publications")["publications"]
    assert {p["publication_id"] for p in listed} >= {"market-penalties", "major-tax-violations"}
    assert all(p["legal_basis"] for p in listed)

    page = world.ok(None, "GET", "/v1/public/publications/market-penalties/notices")
    (notice,) = page["items"]
    assert notice["subject"] == f"{ALICE[:6]}{'*' * 12}"
    assert ALICE not in str(page)
    assert (notice["happened"], notice["published_until"]) == ("2026-06-01", "2027-06-01")
    assert notice["document"] == "荣市监罚〔2026〕1号" and notice["issued_by"] == "RC-SAMR"

    world.advance((world.today().replace(year=2027, month=5, day=31) - world.today()).days)
    assert world.ok(None, "GET", "/v1/public/publications/market-penalties/notices")["total"] == 1
    world.advance(1)
    assert world.ok(None, "GET", "/v1/public/publications/market-penalties/notices")["total"] == 0


def test_an_unknown_publication_is_404(world: World) -> None:
    assert world.call(None, "GET", "/v1/public/publications/nothing/notices").status_code == 404
