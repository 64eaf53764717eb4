"""The HTTP surface: OpenAPI, error mapping, bounded bodies and pages, batches all or nothing and idempotent."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from socialcredit.api import create_app
from socialcredit.settings import Settings
from tests.api.conftest import ALICE, BOB, SHANGHAI_PERSON, World


def test_openapi_is_published_with_bearer_auth(world: World) -> None:
    spec = world.ok(None, "GET", "/openapi.json")
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "/v1/records" in spec["paths"] and "/v1/decisions" in spec["paths"]


def test_a_body_over_the_limit_is_413(world: World, tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, max_request_bytes=2048), store=world.store)
    with TestClient(app) as client:
        big = {"source": "x", "records": [world.listing(ALICE, f"C{i}") for i in range(100)]}
        response = client.post("/v1/records", json=big, headers={"Authorization": f"Bearer {world.tokens['court']}"})
        assert response.status_code == 413
        # Streamed without a Content-Length, it is cut off as it arrives.
        chunks = (b"x" * 1024 for _ in range(4))
        response = client.post("/v1/records", content=chunks, headers={"Content-Type": "application/json"})
        assert response.status_code == 413


def test_bad_rows_are_located_like_a_file(world: World) -> None:
    good = world.listing(ALICE, "C1")
    bad_date = {**world.listing(ALICE, "C2"), "occurred_at": "2026-13-01"}
    body = world.submit("court", good, bad_date, status=422)
    assert body["problems"][0]["row"] == 2 and body["problems"][0]["field"] == "occurred_at"
    # Checked by ingestion: competence and jurisdiction, every problem at once, nothing stored.
    other = {**world.listing(SHANGHAI_PERSON, "C3")}
    wrong_type = {**world.listing(BOB, "C4"), "type": "traffic.drunk_driving", "attributes": {}}
    body = world.submit("court", good, other, wrong_type, status=422)
    located = {(p["row"], p["field"]) for p in body["problems"]}
    assert located == {(2, "subject_id"), (3, "type")}
    assert all(p["file"] == "test" for p in body["problems"])
    assert world.store.count_records() == 0


def test_batches_are_idempotent_and_conflicts_409(world: World) -> None:
    record = world.listing(ALICE, "C1")
    assert world.submit("court", record)["inserted"] == 1
    again = world.submit("court", record)
    assert (again["inserted"], again["unchanged"], again["batch_id"]) == (0, 1, None)
    changed = {**record, "attributes": {"case_no": "C1", "ground": 2}}
    assert "record_id" in world.submit("court", changed, status=409)["detail"]


def test_batch_and_page_sizes_are_bounded(world: World) -> None:
    records = [{"record_id": f"r{i}", "subject_id": ALICE, "type": "court.x", "occurred_at": "2026-01-01"}
               for i in range(10_001)]
    body = world.submit("court", *records, status=422)
    assert body["problems"][0]["field"] == "records"
    assert world.call("alice", "GET", f"/v1/subjects/{ALICE}/access-log", params={"limit": 1001}).status_code == 422
    assert world.call("alice", "GET", "/v1/cases", params={"offset": -1}).status_code == 422


def test_nul_characters_and_unknown_fields_are_422_not_500(world: World) -> None:
    record = {**world.listing(ALICE, "C1"), "record_id": "a\x00b"}
    assert world.call("court", "POST", "/v1/records", json={"records": [record]}).status_code == 422
    record = {**world.listing(ALICE, "C1"), "colour": "red"}
    assert world.call("court", "POST", "/v1/records", json={"records": [record]}).status_code == 422
    assert world.call(None, "POST", "/v1/public/lookup", json={"subject_id": "12345"}).status_code == 422
    record = {**world.listing(ALICE, "C1", day="9999-12-31")}
    assert world.call("court", "POST", "/v1/records", json={"records": [record]}).status_code == 422
    assert world.call("alice", "GET", "/v1/explanations/D-00").status_code == 404


def test_ten_thousand_decisions_in_one_request(world: World) -> None:
    world.submit("court", world.listing(ALICE, "C1"))
    queries = [{"subject_id": ALICE if i % 2 else BOB, "action": "buy_air_ticket"} for i in range(10_000)]
    started = time.perf_counter()
    answers = world.ok("seller", "POST", "/v1/decisions", json={"queries": queries})["decisions"]
    elapsed = time.perf_counter() - started
    assert len(answers) == 10_000 and len({a["reference"] for a in answers}) == 10_000
    assert [a["decision"] for a in answers[:2]] == ["allow", "deny"]
    log = world.ok("bob", "GET", f"/v1/subjects/{BOB}/access-log", params={"limit": 1000})["items"]
    assert len(log) == 1000 and all(item["party"] == "seller" for item in log)
    assert elapsed < 120


def test_only_published_lists_are_public(world: World) -> None:
    assert world.call(None, "GET", "/v1/public/lists/no-such-list/entries").status_code == 404
    lists = world.ok(None, "GET", "/v1/public/lists")["lists"]
    assert [item["list_id"] for item in lists] == ["flight-restricted-passengers", "dishonest-judgment-debtors"]
