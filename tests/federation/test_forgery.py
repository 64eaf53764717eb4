"""A platform that rewrites or drops what it already shared is detected, in every case: its feed quarantined,
the operator told, what was received still served."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.errors import ForgedFeed
from socialcredit.federation.bundles import export_bundle, import_bundle
from socialcredit.federation.drills import forged_bundle, rewrite_leaf, truncate
from socialcredit.federation.pulling import release, statuses
from socialcredit.tables.audit import audit_leaves_table
from tests.federation.conftest import RONGCHENG_PERSON, Fed

CHANNEL = "city-a-records"


def _shared_two(fed: Fed) -> None:
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执11号", "L11"))
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执12号", "L12"))
    assert fed.pull("national", "city-a").to_size == 2


def _quarantined(fed: Fed, receiver: str, problem: str) -> None:
    node = fed[receiver]
    (link,) = [s for s in statuses(node.store, node.config) if s.peer == "city-a"]
    assert link.status == "quarantined" and problem in (link.problem or "")
    with node.store.read_snapshot() as conn:
        actions = list(conn.execute(select(audit_leaves_table.c.action)).scalars())
    assert "feed.quarantine" in actions
    # What was received stays served.
    assert node.decide(RONGCHENG_PERSON) == "deny"
    # And nothing more is taken until an operator releases the link.
    with pytest.raises(ForgedFeed, match="quarantined"):
        fed.pull(receiver, "city-a")


@pytest.mark.parametrize("retree", [True, False], ids=["tree-rebuilt", "hash-kept"])
def test_a_record_changed_after_it_was_shared(fed: Fed, retree: bool) -> None:
    _shared_two(fed)
    rewrite_leaf(fed["city-a"].store, CHANNEL, 0, {"case_no": "(2026)鲁1082执99号"}, retree=retree)
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执13号", "L13"))
    if retree:  # the careful forger: every hash recomputed, so the old root is no prefix of the new tree
        with pytest.raises(ForgedFeed, match=r"consistency proof .* does not verify"):
            fed.pull("national", "city-a")
        _quarantined(fed, "national", "consistency proof")
    else:  # the careless one: the old receiver's proof still holds, but a new receiver's leaves do not hash up
        assert fed.pull("national", "city-a").to_size == 3
        with pytest.raises(ForgedFeed, match="do not hash to the head's root"):
            fed.pull("province", "city-a")


def test_a_record_changed_at_the_same_size(fed: Fed) -> None:
    _shared_two(fed)
    rewrite_leaf(fed["city-a"].store, CHANNEL, 1, {"ground": 2})
    with pytest.raises(ForgedFeed, match=r"different root .* rewritten"):
        fed.pull("national", "city-a")
    _quarantined(fed, "national", "rewritten")


def test_a_truncated_history(fed: Fed) -> None:
    _shared_two(fed)
    truncate(fed["city-a"].store, CHANNEL, 1)
    with pytest.raises(ForgedFeed, match="truncated"):
        fed.pull("national", "city-a")
    _quarantined(fed, "national", "truncated")


def test_a_fork_shown_to_two_receivers(fed: Fed) -> None:
    from socialcredit.federation.pulling import cross_check, peer_of

    _shared_two(fed)  # the national platform saw the honest history
    rewrite_leaf(fed["city-a"].store, CHANNEL, 1, {"ground": 2})
    assert fed.pull("province", "city-a").to_size == 2  # the province, new, sees only the forged one
    national = fed["national"]
    peer = peer_of(national.config, "city-a")
    with pytest.raises(ForgedFeed, match="fork"):
        cross_check(
            national.store,
            peer,
            CHANNEL,
            fed.source("national", "city-a"),
            fed.source("national", "province"),
            "province",
        )
    _quarantined(fed, "national", "fork")


def test_a_fork_at_different_sizes(fed: Fed) -> None:
    from socialcredit.federation.pulling import cross_check, peer_of

    _shared_two(fed)
    rewrite_leaf(fed["city-a"].store, CHANNEL, 0, {"ground": 3})
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执14号", "L14"))
    assert fed.pull("province", "city-a").to_size == 3
    province = fed["province"]
    with pytest.raises(ForgedFeed, match=r"cannot prove .* a fork"):
        cross_check(
            province.store,
            peer_of(province.config, "city-a"),
            CHANNEL,
            fed.source("province", "city-a"),
            fed.source("province", "national"),
            "national",
        )


def test_honest_views_cross_check(fed: Fed) -> None:
    from socialcredit.federation.pulling import cross_check, peer_of

    _shared_two(fed)
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执15号", "L15"))
    assert fed.pull("province", "city-a").to_size == 3
    national = fed["national"]
    said = cross_check(
        national.store,
        peer_of(national.config, "city-a"),
        CHANNEL,
        fed.source("national", "city-a"),
        fed.source("national", "province"),
        "province",
    )
    assert "consistent" in said


def test_a_released_link_is_verified_again_from_the_head_seen(fed: Fed) -> None:
    _shared_two(fed)
    truncate(fed["city-a"].store, CHANNEL, 1)
    with pytest.raises(ForgedFeed):
        fed.pull("national", "city-a")
    release(fed["national"].store, "city-a", CHANNEL, by="operator")
    with pytest.raises(ForgedFeed, match="truncated"):  # still forged: released, and caught again
        fed.pull("national", "city-a")


def test_a_bundle_rewriting_an_earlier_leaf_is_refused(fed: Fed, tmp_path: Path) -> None:
    _shared_two(fed)
    rewrite_leaf(fed["city-a"].store, CHANNEL, 0, {"ground": 2}, retree=True)
    path = tmp_path / "forged.json"
    export_bundle(fed["city-a"].store, fed["city-a"].config, CHANNEL, path)
    national = fed["national"]
    with pytest.raises(ForgedFeed, match=r"leaf 0 .* differs"):
        import_bundle(national.store, national.config, path, shipped_catalogue())


def test_a_well_formed_feed_with_a_record_its_authority_may_not_issue(fed: Fed, tmp_path: Path) -> None:
    listing = {
        "format": 1,
        "platform": "city-a",
        "authority": {
            "code": "RC-TRAFFIC",
            "name": "Rongcheng traffic police",
            "jurisdiction": "371082",
            "competences": ["traffic.*"],
        },
        "record": {
            "authority": "RC-TRAFFIC",
            "record_id": "X1",
            "subject_id": RONGCHENG_PERSON,
            "type": "court.dishonest_listing",
            "occurred_at": "2026-06-01",
            "attributes": {"case_no": "(2026)鲁1082执20号", "ground": 1},
            "legal_basis": "none",
            "source_ref": None,
            "supersedes": None,
            "revoked": False,
        },
    }
    garbage = {"format": 1, "platform": "city-a", "authority": "nobody", "record": {}}
    path = tmp_path / "forged.json"
    forged_bundle(path, "city-a", CHANNEL, [listing, garbage])
    national = fed["national"]
    received = import_bundle(national.store, national.config, path, shipped_catalogue())
    assert received.outcomes == {"refused": 2}
    assert national.decide(RONGCHENG_PERSON) == "allow"
    reasons = [r["reason"] for r in national.ok("city-a", "GET", "/v1/federation/refusals")["refused"]]
    assert "may not issue this record type" in reasons[0] and "authority is not an object" in reasons[1]
