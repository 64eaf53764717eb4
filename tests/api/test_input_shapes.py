"""Bad input gets a clear error, never a wrong answer: numbers a double cannot hold, date-times where a day
belongs, an empty bearer token; and every status an operation answers is in the OpenAPI, with its body."""

from __future__ import annotations

import pytest

from tests.api.conftest import ALICE, World


def _record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "record_id": "R1",
        "subject_id": ALICE,
        "type": "commerce.other_dishonesty",
        "occurred_at": "2026-06-01",
        "attributes": {"points": -10},
    }
    record.update(changes)
    return record


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"attributes": {"points": 2**53 + 1}}, "records.0.attributes.points"),
        ({"attributes": {"points": -(2**60)}}, "records.0.attributes.points"),
        ({"occurred_at": "2026-06-30T00:00:00"}, "occurred_at"),
        ({"occurred_at": 1782777600}, "occurred_at"),
        ({"occurred_at": "2026-6-30"}, "occurred_at"),
    ],
    ids=["2^53 + 1", "-2^60", "a date-time", "seconds since 1970", "a day without leading zeros"],
)
def test_what_would_be_read_wrongly_is_refused_naming_the_field(world: World, changes: dict, field: str) -> None:
    answer = world.call("court", "POST", "/v1/records", json={"records": [_record(**changes)]})
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["problems"]
    assert problem["field"].endswith(field.removeprefix("records.0.")) and problem["row"] == 1


def test_a_whole_number_within_2_53_is_stored_as_a_whole_number(world: World) -> None:
    world.submit("court", _record(attributes={"amount": 2**53}, type="court.contract_breach_judgment"))
    file = world.ok("alice", "GET", f"/v1/subjects/{ALICE}/file")
    (stored,) = [r for r in file["records"] if r["record_id"] == "R1"]
    assert stored["attributes"]["amount"] == 2**53 and isinstance(stored["attributes"]["amount"], int)


@pytest.mark.parametrize("header", ["Bearer ", "Bearer", "Basic YWxpY2U6eA==", "bearer"])
def test_an_authorization_header_without_a_token_is_401_not_the_public(world: World, header: str) -> None:
    answer = world.client.get("/v1/me", headers={"Authorization": header})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"] == "Bearer"
    assert world.client.get("/v1/me").json()["role"] == "public"  # no header at all: the public


def test_every_operation_documents_its_refusals_with_their_bodies(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if path == "/healthz":
                continue
            assert {"401", "403", "404", "409", "422", "429", "503"} <= set(op["responses"]), (method, path)
            schema = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
            assert schema.endswith("/ProblemsOut"), (method, path)
    problems = spec["components"]["schemas"]["ProblemsOut"]
    assert set(problems["required"]) == {"detail", "problems"}


def test_a_defect_is_a_500_with_a_reference_not_a_traceback(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    platform = world.client.app.state.platform

    def broken() -> list:
        raise RuntimeError("a defect, with a secret in its message")

    monkeypatch.setattr(platform, "public_lists", broken)
    answer = TestClient(world.client.app, raise_server_exceptions=False).get("/v1/public/lists")
    assert answer.status_code == 500
    assert "E-" in answer.json()["detail"] and "secret" not in answer.text
