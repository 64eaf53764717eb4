"""The catalogue of record types, the list of measures and each scheme's rights audit, published for anyone."""

from __future__ import annotations

from typing import Any

import pytest

from socialcredit.catalogue.loading import shipped_catalogue, shipped_measures
from socialcredit.scheme import rights
from tests.api.conftest import World


def public(world: World, path: str, status: int = 200) -> Any:
    """Asked with no token at all, as the public."""
    return world.ok(None, "GET", path, status)


def test_the_catalogue_is_the_shipped_one_with_its_forbidden_categories(shared_world: World) -> None:
    body = public(shared_world, "/v1/catalogue")
    shipped = shipped_catalogue()
    assert body["catalogue"] == "record-types" and body["version"] == shipped.version
    assert body["published"] == shipped.published.isoformat()
    assert [s["id"] for s in body["sources"]] == [s.id for s in shipped.sources]
    assert {c["id"] for c in body["competences"]} == {c.id for c in shipped.competences}
    assert {d["id"] for d in body["domains"]} == {d.id for d in shipped.domains}
    forbidden = {c["id"]: c for c in body["categories"] if c["forbidden"]}
    assert forbidden.keys() == {c.id for c in shipped.forbidden()} and "biometric" in forbidden
    assert all(c["reason"] and c["rests_on"] and c["signs"] for c in forbidden.values())
    assert [e["type"] for e in body["record_types"]] == [e.type for e in shipped.record_types]
    listing = next(e for e in body["record_types"] if e["type"] == "court.dishonest_listing")
    assert listing["adverse"] is True and listing["category"] == "court_enforcement"
    assert listing["attributes"]["case_no"]["type"] == "text"


def test_one_record_type_and_an_unknown_one(shared_world: World) -> None:
    entry = public(shared_world, "/v1/catalogue/record-types/registry.legal_representative")
    assert entry["link"] == "legal_representative"
    assert entry["attributes"]["person_id"]["type"] == "subject_id"
    assert entry in public(shared_world, "/v1/catalogue")["record_types"]
    body = public(shared_world, "/v1/catalogue/record-types/order.office_visits", 404)
    assert body == {
        "detail": f"no record type 'order.office_visits' in the catalogue of record types "
        f"({shipped_catalogue().version})"
    }


def test_the_list_of_measures_is_the_shipped_one(shared_world: World) -> None:
    body = public(shared_world, "/v1/measures")
    shipped = shipped_measures()
    assert body["measures"] == "list-of-measures" and body["version"] == shipped.version
    assert body["catalogue_version"] == shipped_catalogue().version
    assert {c["id"] for c in body["categories"] if c["forbidden"]} == {c.id for c in shipped.forbidden()}
    assert [a["action"] for a in body["actions"]] == [a.action for a in shipped.actions]
    flights = next(a for a in body["actions"] if a["action"] == "buy_air_ticket")
    assert flights["domain"] == "travel" and flights["effects"] == ["deny"]
    assert flights["follows"] == ["court_enforcement", "aviation_safety"]
    assert flights["third_parties"] == ["legal_representative"]


def test_one_action_and_an_unknown_one(shared_world: World) -> None:
    assert public(shared_world, "/v1/measures/public_bidding")["domain"] == "procurement"
    body = public(shared_world, "/v1/measures/caller_tone_warning", 404)
    assert body == {"detail": f"no action 'caller_tone_warning' on the list of measures ({shipped_measures().version})"}


def test_a_name_that_is_no_name_is_bad_input(shared_world: World) -> None:
    body = public(shared_world, "/v1/measures/%20drop", 422)
    assert body["problems"][0]["field"] == "path.action"


def test_each_scheme_is_published_with_its_audit(shared_world: World) -> None:
    schemes = public(shared_world, "/v1/schemes")["schemes"]
    assert {s["scheme"] for s in schemes} == {
        "civil-aviation",
        "enterprise-evaluation",
        "german-credit",
        "judgment-debtors",
        "market-publicity",
        "rongcheng",
        "tax-credit",
    }
    for s in schemes:
        audit = s["audit"]
        assert audit["scheme"] == s["label"] and audit["purpose"] == "operation" and audit["may_operate"]
        assert audit["catalogue_version"] == shipped_catalogue().version
        assert audit["measures_version"] == shipped_measures().version
        assert audit["errors"] == 0 and audit["warnings"] == len(audit["findings"])
        assert audit == public(shared_world, f"/v1/schemes/{s['scheme']}/audit")


def test_the_judgment_debtors_audit_shows_its_cross_domain_measures_by_design(shared_world: World) -> None:
    audit = public(shared_world, "/v1/schemes/judgment-debtors/audit")
    assert audit["errors"] == 0 and audit["warnings"] == 3
    assert {f["field"] for f in audit["findings"]} == {"measures[0]", "measures[1]", "measures[2]"}
    for finding in audit["findings"]:
        assert finding["severity"] == "warning"
        assert finding["reason"].startswith("cross-domain") and "by design" in finding["reason"]
        assert "Art. 5(1)(c)" in finding["rests_on"]


def test_the_rongcheng_audit_shows_points_that_accumulate(shared_world: World) -> None:
    audit = public(shared_world, "/v1/schemes/rongcheng/audit")
    accumulating = [f for f in audit["findings"] if "accumulate without a bound" in f["reason"]]
    assert {f["field"] for f in accumulating} >= {
        "score.rules[2].cap_per_calendar_year",  # loan arrears, a record a month
        "score.rules[15].cap_per_calendar_year",  # traffic violations, a record a ticket
    }
    assert audit["errors"] == 0 and all(f["severity"] == "warning" for f in audit["findings"])


def test_the_audit_of_a_scheme_not_in_operation_is_not_found(shared_world: World) -> None:
    body = public(shared_world, "/v1/schemes/city/audit", 404)
    assert set(body) == {"detail"} and "no scheme 'city' in operation" in body["detail"]


def test_the_audits_are_made_at_start_up_not_per_request(shared_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    before = public(shared_world, "/v1/schemes")

    def refuse(*_args: object) -> None:
        raise AssertionError("a scheme was audited again while answering a request")

    # Any audit, however its function was imported, runs the measure findings of the rights module.
    monkeypatch.setattr(rights, "measure_findings", refuse)
    assert public(shared_world, "/v1/schemes") == before
    assert public(shared_world, "/v1/schemes/rongcheng/audit") == next(
        s["audit"] for s in before["schemes"] if s["scheme"] == "rongcheng"
    )


def test_the_new_routes_are_documented(shared_world: World) -> None:
    paths = public(shared_world, "/openapi.json")["paths"]
    documented = {
        "/v1/catalogue": "Catalogue",
        "/v1/catalogue/record-types/{record_type}": "RecordTypeEntry",
        "/v1/measures": "MeasureList",
        "/v1/measures/{action}": "ActionEntry",
        "/v1/schemes": "SchemesOut",
        "/v1/schemes/{name}/audit": "AuditOut",
    }
    for path, model in documented.items():
        responses = paths[path]["get"]["responses"]
        assert responses["200"]["content"]["application/json"]["schema"] == {"$ref": f"#/components/schemas/{model}"}
        assert responses["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
