"""Due process across platforms: an objection filed at the national platform about a record a city issued is
decided by the city's reviewers, with the deadline of the day of filing; the outcome comes back, the correction
reaches every platform holding the record, and each tells the providers that received decisions on the old one."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from socialcredit.federation import routing
from tests.federation.conftest import RONGCHENG_PERSON, Fed

LISTING = "L1"


def _node_due(fed: Fed, name: str):  # type: ignore[no-untyped-def]
    return fed[name].client.app.state.due_process  # type: ignore[attr-defined]


def _listed_everywhere(fed: Fed) -> None:
    fed["city-a"].submit("rc-court", fed.listing(RONGCHENG_PERSON, "(2026)鲁1082执70号", LISTING))
    fed.pull("national", "city-a")
    fed.pull("city-b", "national")
    for name in ("city-a", "national", "city-b"):
        assert fed[name].decide(RONGCHENG_PERSON) == "deny"


def _object_at_national(fed: Fed) -> dict:  # type: ignore[type-arg]
    body = {
        "scheme": "judgment-debtors",
        "statement": "The judgment was performed before the listing.",
        "target": {"kind": "record", "authority": "city-a/RC-COURT", "record_id": LISTING},
    }
    return fed["national"].ok("person", "POST", "/v1/objections", 201, json=body)


def test_an_objection_filed_nationally_is_decided_in_the_city_and_the_outcome_flows_back(fed: Fed) -> None:
    _listed_everywhere(fed)
    filed = _object_at_national(fed)
    national, city = fed["national"], fed["city-a"]
    # The national reviewers may not decide it: the city issued the record.
    refused = national.call(
        "reviewer",
        "POST",
        f"/v1/cases/{filed['reference']}/decision",
        json={"outcome": "upheld", "reasons": "looks right"},
    )
    assert refused.status_code == 409 and "decided by city-a" in refused.json()["detail"]

    fed.advance(3 * 86400)  # sent three days later: the deadline still runs from the day of filing
    sent = routing.route_out(national.store, national.config, fed.cases("national"))
    assert len(sent) == 1 and "sent to city-a" in sent[0]
    assert routing.route_out(national.store, national.config, fed.cases("national")) == []  # sent once
    (there,) = city.ok("reviewer", "GET", "/v1/cases")["items"]
    assert there["deadline"] == filed["deadline"] and there["status"] == "open"
    assert there["target"]["authority"] == "RC-COURT"
    # Sending it again (a retry after a lost answer) files nothing new.
    again = routing.accept(
        city.store,
        _node_due(fed, "city-a"),
        routing.platform_party("national"),
        {
            "reference": filed["reference"],
            "subject_id": RONGCHENG_PERSON,
            "scheme": "judgment-debtors",
            "target": there["target"],
            "statement": "again",
            "filed_at": "2026-06-30T02:00:00+00:00",
            "deadline": filed["deadline"],
            "filed_on": "national",
        },
    )
    assert again["reference"] == there["reference"] and again["already"]

    decided = city.ok(
        "reviewer",
        "POST",
        f"/v1/cases/{there['reference']}/decision",
        json={"outcome": "upheld", "reasons": "Performance receipt of 2026-05-20 on file."},
    )
    (correction,) = decided["correction"]
    assert routing.collect_outcomes(
        national.store, national.config, _node_due(fed, "national"), fed.cases("national")
    ) == [f"{filed['reference']}: upheld by city-a"]
    here = national.ok("person", "GET", f"/v1/cases/{filed['reference']}")
    assert here["status"] == "upheld" and "decided by city-a" in here["reasons"]
    assert here["correction"] == [f"city-a/{correction}"]

    # The correction itself travels with the feeds; each platform tells its providers to ask again.
    assert fed["national"].decide(RONGCHENG_PERSON) == "deny"  # until the feed brings it
    fed.pull("national", "city-a")
    fed.pull("city-b", "national")
    for name in ("city-a", "national", "city-b"):
        assert fed[name].decide(RONGCHENG_PERSON) == "allow", name
    for name in ("national", "city-b"):
        notices = [n for n in fed[name].ok("seller", "GET", "/v1/notices")["items"] if n["kind"] == "correction"]
        assert (
            len(notices) == 1 and "corrected by the platform that issued it (city-a)" in notices[0]["body"]["message"]
        )


def test_a_rejected_objection_comes_back_rejected_and_changes_nothing(fed: Fed) -> None:
    _listed_everywhere(fed)
    filed = _object_at_national(fed)
    national, city = fed["national"], fed["city-a"]
    routing.route_out(national.store, national.config, fed.cases("national"))
    (there,) = city.ok("reviewer", "GET", "/v1/cases")["items"]
    city.ok(
        "reviewer",
        "POST",
        f"/v1/cases/{there['reference']}/decision",
        json={"outcome": "rejected", "reasons": "No performance on file."},
    )
    routing.collect_outcomes(national.store, national.config, _node_due(fed, "national"), fed.cases("national"))
    assert national.ok("person", "GET", f"/v1/cases/{filed['reference']}")["status"] == "rejected"
    assert national.decide(RONGCHENG_PERSON) == "deny"


def test_an_objection_at_a_city_that_got_the_record_through_the_national_relay_goes_through_it(fed: Fed) -> None:
    _listed_everywhere(fed)
    body = {
        "scheme": "judgment-debtors",
        "statement": "Never served.",
        "target": {"kind": "record", "authority": "city-a/RC-COURT", "record_id": LISTING},
    }
    filed = fed["city-b"].ok("person", "POST", "/v1/objections", 201, json=body)
    # city-b does not pull from city-a: it sends the case to the national platform, which delivered the record...
    (sent,) = routing.route_out(fed["city-b"].store, fed["city-b"].config, fed.cases("city-b"))
    assert "sent to national" in sent
    # ... which routes it on to city-a, the issuer.
    (on,) = routing.route_out(fed["national"].store, fed["national"].config, fed.cases("national"))
    assert "sent to city-a" in on
    (there,) = fed["city-a"].ok("reviewer", "GET", "/v1/cases")["items"]
    assert there["deadline"] == filed["deadline"]
    fed["city-a"].ok(
        "reviewer",
        "POST",
        f"/v1/cases/{there['reference']}/decision",
        json={"outcome": "rejected", "reasons": "Served on 2026-05-02."},
    )
    routing.collect_outcomes(
        fed["national"].store, fed["national"].config, _node_due(fed, "national"), fed.cases("national")
    )
    routing.collect_outcomes(fed["city-b"].store, fed["city-b"].config, _node_due(fed, "city-b"), fed.cases("city-b"))
    assert fed["city-b"].ok("person", "GET", f"/v1/cases/{filed['reference']}")["status"] == "rejected"


def test_only_a_platform_files_a_routed_case_and_bad_ones_are_refused(fed: Fed) -> None:
    city = fed["city-a"]
    good = {
        "reference": "OBJ-X",
        "subject_id": RONGCHENG_PERSON,
        "scheme": "judgment-debtors",
        "target": {"kind": "record", "authority": "RC-COURT", "record_id": "nope"},
        "statement": "s",
        "filed_at": "2026-06-30T02:00:00+00:00",
        "deadline": date(2026, 7, 30).isoformat(),
        "filed_on": "national",
    }
    assert city.call("person", "POST", "/v1/federation/cases", json=good).status_code == 403
    assert city.call("national", "POST", "/v1/federation/cases", json=good).status_code == 404  # no such record
    bad = {**good, "filed_at": "yesterday", "deadline": 5}
    problems = city.call("national", "POST", "/v1/federation/cases", json=bad)
    assert problems.status_code == 422
    assert {p["field"] for p in problems.json()["problems"]} == {"filed_at", "deadline"}
    assert city.call("national", "GET", "/v1/federation/cases/OBJ-NONE").status_code == 404
    assert isinstance(city.client, TestClient)
