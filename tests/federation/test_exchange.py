"""Records shared between platforms: a city's listing reaches the national platform and, relayed, another city;
origin kept, delivery twice changes nothing, categories and receivers as configured, jurisdiction enforced."""

from __future__ import annotations

from sqlalchemy import select

from socialcredit.federation.feeds import entries
from socialcredit.tables.records import records_table
from tests.federation.conftest import QINGDAO_PERSON, RONGCHENG_PERSON, SHANGHAI_PERSON, Fed


def _stored(node, authority: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = records_table
    with node.store.read_snapshot() as conn:
        return sorted(conn.execute(select(r.c.record_id).where(r.c.authority == authority)).scalars())


def test_a_city_listing_refuses_a_ticket_in_another_city(fed: Fed) -> None:
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执1号", "L1"))
    assert fed["city-a"].decide(RONGCHENG_PERSON) == "deny"
    assert fed["city-b"].decide(RONGCHENG_PERSON) == "allow"

    up = fed.pull("national", "city-a")
    assert (up.from_size, up.to_size, up.outcomes, up.proof_checked) == (0, 1, {"stored": 1}, False)
    assert _stored(fed["national"], "city-a/RC-COURT") == ["L1"]
    assert fed["national"].decide(RONGCHENG_PERSON) == "deny"

    down = fed.pull("city-b", "national")
    assert down.outcomes == {"stored": 1}
    assert _stored(fed["city-b"], "city-a/RC-COURT") == ["L1"]  # the origin is city-a's court, not the relay
    assert fed["city-b"].decide(RONGCHENG_PERSON) == "deny"

    # Back at the origin, its own record coming back through the national relay is recognised as its own.
    back = fed.pull("city-a", "national")
    assert back.outcomes == {"own": 1}
    assert _stored(fed["city-a"], "city-a/RC-COURT") == []


def test_delivery_twice_changes_nothing_and_later_pulls_prove_consistency(fed: Fed) -> None:
    city = fed["city-a"]
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执2号"))
    assert fed.pull("national", "city-a").to_size == 1
    again = fed.pull("national", "city-a")
    assert (again.from_size, again.to_size, again.outcomes) == (1, 1, {})
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执3号"))
    later = fed.pull("national", "city-a")
    assert (later.from_size, later.to_size, later.outcomes, later.proof_checked) == (1, 2, {"stored": 1}, True)
    # The same records reaching the province too, then relayed down to it by the national platform: unchanged.
    assert fed.pull("province", "city-a").outcomes == {"stored": 2}
    assert fed.pull("province", "national", "lists-down").outcomes == {"unchanged": 2}


def test_only_the_configured_categories_are_shared(fed: Fed) -> None:
    city = fed["city-a"]
    city.submit(
        "rc-traffic",
        {
            "record_id": "T1",
            "subject_id": RONGCHENG_PERSON,
            "type": "traffic.violation",
            "occurred_at": "2026-06-01",
            "attributes": {"fine": 200},
            "legal_basis": "Road Traffic Safety Law, Art. 90",
        },
    )
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执4号", "L4"))
    assert fed.pull("national", "city-a").outcomes == {"stored": 1}
    payloads = [p.decode() for _, p in entries(city.store, "city-a-records", 0, 10)]
    assert len(payloads) == 1 and '"court.dishonest_listing"' in payloads[0]
    assert _stored(fed["national"], "city-a/RC-TRAFFIC") == []


def test_a_record_outside_the_senders_jurisdiction_is_refused_and_reported_back(fed: Fed) -> None:
    city = fed["city-a"]
    city.submit("sh-court", fed.listing(SHANGHAI_PERSON, "(2026)沪0101执1号", "S1"))
    city.submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执5号", "L5"))
    received = fed.pull("national", "city-a")
    assert received.outcomes == {"refused": 1, "stored": 1}
    assert _stored(fed["national"], "city-a/SH-COURT") == []
    report = fed["national"].ok("city-a", "GET", "/v1/federation/refusals")
    (refused,) = report["refused"]
    assert refused["record"] == "SH-COURT/S1" and refused["seq"] == 0
    assert "310101" in refused["reason"] and "not within the jurisdiction of city-a (371000)" in refused["reason"]


def test_nothing_is_pushed_a_platform_takes_only_what_it_pulls(fed: Fed) -> None:
    # A Qingdao person listed by city-b's court reaches the national platform only through city-b's own feed;
    # city-b shares nothing, so the national platform never sees it.
    fed["city-b"].submit("qd-court", fed.listing(QINGDAO_PERSON, "(2026)鲁02执1号"))
    assert fed["national"].decide(QINGDAO_PERSON) == "allow"


def test_a_channel_is_answered_only_to_its_receivers(fed: Fed) -> None:
    city = fed["city-a"]
    for who, path in [
        ("seller", "/v1/federation/feeds/city-a-records/head"),
        (None, "/v1/federation/feeds/city-a-records/head"),
        ("city-b", "/v1/federation/feeds/city-a-records/head"),
        ("city-b", "/v1/federation/feeds/city-a-records/entries?start=0&end=5"),
        ("seller", "/v1/federation/refusals"),
    ]:
        response = city.call(who, "GET", path)
        assert response.status_code == 403, (who, path, response.text)
    assert city.call("national", "GET", "/v1/federation/feeds/no-such/head").status_code == 403
    assert city.call("national", "GET", "/v1/federation/feeds/city-a-records/head").status_code == 200


def test_a_sector_platforms_flight_restriction_is_honoured_by_every_platform(fed: Fed) -> None:
    passenger = QINGDAO_PERSON
    restriction = {
        "record_id": "CAAC-2026-06-001", "subject_id": passenger, "type": "aviation.restricted_passenger",
        "occurred_at": "2026-06-01", "legal_basis": "发改财金〔2018〕385号, section (一)",
        "attributes": {"conduct": 7, "decision_no": "青公(治)决字〔2026〕5号", "liability": "administrative_penalty"},
    }
    fed["caac"].submit("caac", restriction)
    assert fed["city-b"].decide(passenger) == "allow"
    assert fed.pull("national", "caac").outcomes == {"stored": 1}
    assert fed.pull("city-b", "national").outcomes == {"stored": 1}
    assert fed.pull("city-a", "national").outcomes == {"stored": 1}
    for name in ("national", "city-b", "city-a"):
        assert fed[name].decide(passenger) == "deny", name
        assert fed[name].decide(passenger, "buy_g_train_ticket") == "allow", name
