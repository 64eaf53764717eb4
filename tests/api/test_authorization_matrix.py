"""The authorization matrix: every role × endpoint × own / other / out-of-jurisdiction object, and the status
each must get. Every 401 and 403 must also be in the refusal log.

Callers: ``court`` (authority, Rongcheng 371082, court.*), ``sh-court`` (authority, Shanghai 310101),
``seller`` (provider: air and G-train tickets), ``portal`` (provider: public bidding), ``alice`` and ``bob``
(subjects, persons), ``acme-1`` (an account of the organization ACME), ``reviewer``, ``operator``, ``citizen``
(public, with a token) and ``None`` (no token: the public).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import ACME, ALICE, BOB, SHANGHAI_PERSON, World, entry_target, record_target

ROLES_BUT = ["court", "seller", "alice", "bob", "acme-1", "reviewer", "operator", "citizen", None]


def _record(record_id: str, subject: str, type_: str = "court.unpaid_debt_judgment") -> dict[str, Any]:
    return {"record_id": record_id, "subject_id": subject, "type": type_, "occurred_at": "2026-06-10",
            "attributes": {"amount": 100}}


def _batch(*records: dict[str, Any]) -> dict[str, Any]:
    return {"source": "matrix", "records": list(records)}


@pytest.fixture(scope="module")
def setup(shared_world: World) -> dict[str, str]:
    w = shared_world
    w.submit("court", w.listing(ALICE, "A-1"), w.listing(BOB, "B-1"))
    w.submit("court", _record("alice-record", ALICE))
    w.submit("registry", {"record_id": "acme-rep", "subject_id": ACME, "type": "registry.legal_representative",
                          "occurred_at": "2025-01-01", "attributes": {"person_id": BOB}})
    ref = w.decide("seller", ALICE)["reference"]
    # Alice has a case, so that a reviewer may read her file; Bob's file is out of a reviewer's reach until then.
    w.object_to("alice", "judgment-debtors", entry_target("dishonest-judgment-debtors", "A-1"), "not mine")
    bob_case = w.object_to("bob", "judgment-debtors", entry_target("dishonest-judgment-debtors", "B-1"), "not me")
    w.submit("court", _record("bob-record", BOB))
    to_decide = w.object_to("bob", "judgment-debtors", record_target("RC-COURT", "bob-record"), "wrong amount")
    bob_case, to_decide = bob_case["reference"], to_decide["reference"]
    return {"REF": ref, "BOB_CASE": bob_case, "TO_DECIDE": to_decide}


def _matrix() -> list[tuple[str, str | None, str, str, Any, int]]:
    rows: list[tuple[str, str | None, str, str, Any, int]] = []

    def add(label: str, method: str, path: str, body: Any, expected: dict[str | None, int]) -> None:
        for who, status in expected.items():
            rows.append((label, who, method, path, body, status))

    def others(status: int, *but: str | None) -> dict[str | None, int]:
        return {who: status for who in ROLES_BUT if who not in but}

    # Records: an authority writes within its competence and jurisdiction only.
    add("records own-jurisdiction", "POST", "/v1/records", _batch(_record("m1", ALICE)),
        {"court": 200, **others(403, "court", "bob", "acme-1")})
    add("records out-of-jurisdiction", "POST", "/v1/records", _batch(_record("m2", SHANGHAI_PERSON)), {"court": 422})
    add("records other authority's area", "POST", "/v1/records", _batch(_record("m3", ALICE)), {"sh-court": 422})
    add("records own area (Shanghai)", "POST", "/v1/records", _batch(_record("m4", SHANGHAI_PERSON)),
        {"sh-court": 200})
    add("records out-of-competence", "POST", "/v1/records",
        _batch(_record("m5", ALICE, "finance.loan_arrears_month")), {"court": 422})
    # Decisions: providers, on the actions they are bound to.
    add("decision bound action", "POST", "/v1/decisions/one", {"subject_id": ALICE, "action": "buy_air_ticket"},
        {"seller": 200, **others(403, "seller", "bob", "acme-1")})
    add("decision unbound action", "POST", "/v1/decisions/one", {"subject_id": ACME, "action": "public_bidding"},
        {"seller": 403, "portal": 200})
    add("decisions batch", "POST", "/v1/decisions",
        {"queries": [{"subject_id": ALICE, "action": "buy_air_ticket"},
                     {"subject_id": BOB, "action": "buy_g_train_ticket"}]},
        {"seller": 200, "alice": 403, "court": 403, None: 403})
    # Explanations: the subject of the decision (and reviewers).
    add("explanation of a decision about alice", "GET", "/v1/explanations/{REF}", None,
        {"alice": 200, "reviewer": 200, **others(403, "alice", "reviewer")})
    # Files: one's own; an organization's by its accounts; reviewers.
    add("alice's file", "GET", f"/v1/subjects/{ALICE}/file", None,
        {"alice": 200, "reviewer": 200, **others(403, "alice", "reviewer")})
    add("ACME's file", "GET", f"/v1/subjects/{ACME}/file", None,
        {"acme-1": 200, "bob": 403, "alice": 403, "seller": 403, "reviewer": 403, None: 403})
    add("alice's download", "GET", f"/v1/subjects/{ALICE}/file/download", None,
        {"alice": 200, "bob": 403, "seller": 403, "operator": 403, None: 403})
    add("alice's access log", "GET", f"/v1/subjects/{ALICE}/access-log", None,
        {"alice": 200, **others(403, "alice")})
    add("alice's notices", "GET", f"/v1/subjects/{ALICE}/notices", None, {"alice": 200, **others(403, "alice")})
    # Objections and repair: subjects, about their own items only (another's item is not found among theirs).
    add("object to own record", "POST", "/v1/objections",
        {"scheme": "judgment-debtors", "statement": "wrong",
         "target": {"kind": "record", "authority": "RC-COURT", "record_id": "alice-record"}},
        {"alice": 201, "bob": 404, **others(403, "alice", "bob", "acme-1")})
    add("repair of own entry", "POST", "/v1/repairs",
        {"scheme": "judgment-debtors", "list_id": "dishonest-judgment-debtors", "key": "A-1",
         "obligation_performed": True, "commitment": "I will honour judgments."},
        {"alice": 201, "bob": 404, **others(403, "alice", "bob", "acme-1")})
    add("cases list", "GET", "/v1/cases", None,
        {"alice": 200, "bob": 200, "reviewer": 200, **others(403, "alice", "bob", "acme-1", "reviewer")})
    add("bob's case", "GET", "/v1/cases/{BOB_CASE}", None,
        {"bob": 200, "reviewer": 200, **others(403, "bob", "reviewer")})
    add("decide a case", "POST", "/v1/cases/{TO_DECIDE}/decision",
        {"outcome": "upheld", "reasons": "The amount was wrong."},
        {**others(403, "reviewer"), "reviewer": 200})
    # Operator.
    add("refusal log", "GET", "/v1/operator/refusals", None, {"operator": 200, **others(403, "operator")})
    add("dispatch outbox", "POST", "/v1/operator/notices/dispatch", None,
        {"operator": 200, "seller": 403, "alice": 403, None: 403})
    add("party notices", "GET", "/v1/notices", None, {"seller": 200, "alice": 200, "citizen": 403, None: 403})
    # The public: everyone.
    for label, method, path, body in [
        ("published entries", "GET", "/v1/public/lists/dishonest-judgment-debtors/entries", None),
        ("lookup", "POST", "/v1/public/lookup", {"subject_id": BOB}),
        ("figures", "GET", "/v1/transparency?period=2026", None),
        ("schemes", "GET", "/v1/schemes", None),
        ("me", "GET", "/v1/me", None),
    ]:
        add(label, method, path, body, {who: 200 for who in ROLES_BUT})
    return rows


MATRIX = _matrix()


@pytest.mark.parametrize(
    ("label", "who", "method", "path", "body", "expected"),
    MATRIX,
    ids=[f"{label}-{who or 'anonymous'}-{expected}" for label, who, _, _, _, expected in MATRIX],
)
def test_matrix(
    shared_world: World, setup: dict[str, str], label: str, who: str | None, method: str, path: str,
    body: Any, expected: int,
) -> None:
    w = shared_world
    response = w.call(who, method, path.format(**setup), json=body)
    assert response.status_code == expected, (label, who, response.status_code, response.text)
    if expected in (403, 422) and response.status_code == expected and (expected == 403 or path == "/v1/records"):
        latest = w.ok("operator", "GET", "/v1/operator/refusals", params={"limit": 1})["items"][0]
        assert latest["party"] == (who or "anonymous")


def test_a_bad_token_is_401_and_logged(shared_world: World) -> None:
    w = shared_world
    response = w.client.get("/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    latest = w.ok("operator", "GET", "/v1/operator/refusals", params={"limit": 1})["items"][0]
    assert latest["action"] == "authenticate"


def test_a_provider_never_sees_the_file(shared_world: World, setup: dict[str, str]) -> None:
    answer = shared_world.decide("seller", ALICE)
    assert set(answer) == {"subject_id", "action", "at", "decision", "reason_codes", "reference"}


def test_the_public_sees_masked_numbers_only(shared_world: World, setup: dict[str, str]) -> None:
    w = shared_world
    items = w.ok(None, "GET", "/v1/public/lists/dishonest-judgment-debtors/entries")["items"]
    shown = {item["subject"] for item in items}
    assert ALICE not in shown and BOB not in shown
    assert f"{BOB[:6]}{'*' * 12}" in shown  # the division only: see socialcredit.ids.masking
    assert w.ok("citizen", "POST", "/v1/public/lookup", json={"subject_id": BOB})["listed"] is True
