"""A small world for the API tests: authorities, parties with tokens, a settable clock, a test client.

``world`` is function-scoped over the ``store`` fixture (SQLite, and PostgreSQL when configured);
``shared_world`` is one world per module and backend, for tables of requests that read more than they write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from socialcredit.api import create_app
from socialcredit.authorities import Authority
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store
from tests.conftest import STORE_BACKENDS, fresh_postgres_database
from tests.factories import organization, person

START = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
"""10:00 in Rongcheng on 30 June 2026."""

ALICE = person(1)  # 371082 (Rongcheng)
BOB = person(2)
SHANGHAI_PERSON = person(3, division="310101")
ACME = organization(1)

AUTHORITIES = [
    Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",)),
    Authority("SH-COURT", "Shanghai Huangpu Court", "310101", ("court.*",)),
    Authority("RC-REGISTRY", "Rongcheng market regulator", "371082", ("registry.*",)),
    Authority("RC-CIVIL", "Rongcheng civil affairs", "371082", ("honor.*",)),
    Authority("RC-BANK", "Rongcheng lender", "371082", ("lending",)),
]

PARTIES = [
    Party("court", Role.AUTHORITY, "Rongcheng court clerk", authority="RC-COURT"),
    Party("sh-court", Role.AUTHORITY, "Shanghai court clerk", authority="SH-COURT"),
    Party("registry", Role.AUTHORITY, "Registry clerk", authority="RC-REGISTRY"),
    Party("seller", Role.PROVIDER, "12306 ticketing", actions=("buy_air_ticket", "buy_g_train_ticket")),
    Party("portal", Role.PROVIDER, "Procurement portal", actions=("public_bidding",)),
    Party("civil", Role.AUTHORITY, "Civil affairs clerk", authority="RC-CIVIL"),
    Party("bank", Role.PROVIDER, "A bank", actions=("bank_loan",)),
    Party("loans-clerk", Role.AUTHORITY, "The lender's loan officer", authority="RC-BANK"),
    Party("lender", Role.PROVIDER, "The lender's credit desk", actions=("credit_application",)),
    Party("alice", Role.SUBJECT, "Alice", subject_id=ALICE),
    Party("bob", Role.SUBJECT, "Bob", subject_id=BOB),
    Party("acme-1", Role.SUBJECT, "ACME clerk", subject_id=ACME),
    Party("reviewer", Role.REVIEWER, "Reviewer"),
    Party("operator", Role.OPERATOR, "Operator"),
    Party("citizen", Role.PUBLIC, "A member of the public"),
]


SCORE: dict[str, Any] = {"kind": "score"}
"""An objection's target: the subject's score under the scheme."""


def record_target(authority: str, record_id: str) -> dict[str, Any]:
    """An objection's target: one record."""
    return {"kind": "record", "authority": authority, "record_id": record_id}


def entry_target(list_id: str, key: str) -> dict[str, Any]:
    """An objection's target: one list entry, by its key (the case number)."""
    return {"kind": "list_entry", "list_id": list_id, "key": key}


@dataclass
class World:
    """A running app over a store, with a token per party."""

    store: Store
    client: TestClient
    tokens: dict[str, str]
    now: list[datetime]
    sender: MemorySender
    counter: list[int] = field(default_factory=lambda: [0])

    def call(self, who: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = dict(kw.pop("headers", {}) or {})
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.request(method, path, headers=headers, **kw)

    def ok(self, who: str | None, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = self.call(who, method, path, **kw)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json()

    def object_to(
        self, who: str, scheme: str, target: dict[str, Any], statement: str = "this is wrong", status: int = 201
    ) -> Any:
        """``who`` objects, under ``scheme``, to ``target`` (:func:`record_target`, :func:`entry_target` or
        :data:`SCORE`); the filed case."""
        body = {"scheme": scheme, "statement": statement, "target": target}
        return self.ok(who, "POST", "/v1/objections", status, json=body)

    def advance(self, days: int) -> None:
        self.now[0] = self.now[0] + timedelta(days=days)

    def today(self) -> date:
        return (self.now[0] + timedelta(hours=8)).date()

    def fresh_id(self, prefix: str = "R") -> str:
        self.counter[0] += 1
        return f"{prefix}{self.counter[0]:05d}"

    def submit(self, who: str, *records: dict[str, Any], status: int = 200) -> Any:
        return self.ok(who, "POST", "/v1/records", status, json={"source": "test", "records": list(records)})

    def listing(self, subject: str, case_no: str, day: str = "2026-06-01", ground: int = 1) -> dict[str, Any]:
        return {
            "record_id": self.fresh_id("L"),
            "subject_id": subject,
            "type": "court.dishonest_listing",
            "occurred_at": day,
            "attributes": {"case_no": case_no, "ground": ground},
            "legal_basis": "SPC Provisions (法释〔2017〕7号), Art. 1",
        }

    def decide(self, who: str, subject: str, action: str = "buy_air_ticket", **kw: Any) -> Any:
        return self.ok(who, "POST", "/v1/decisions/one", json={"subject_id": subject, "action": action, **kw})


def build_world(store: Store, tmp: Path) -> World:
    store.migrate()
    for authority in AUTHORITIES:
        store.add_authority(authority)
    tokens = {}
    for party in PARTIES:
        add_party(store, party)
        tokens[party.code] = issue_token(store, party.code)
    now = [START]
    sender = MemorySender()
    settings = Settings(data_dir=tmp, database_url=store.url if store.backend == "sqlite" else None)
    app = create_app(settings, store=store, clock=lambda: now[0], sender=sender)
    return World(store, TestClient(app), tokens, now, sender)


@pytest.fixture
def world(store: Store, tmp_path: Path) -> Iterator[World]:
    w = build_world(store, tmp_path)
    with w.client:
        yield w


@pytest.fixture(scope="module", params=STORE_BACKENDS)
def shared_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("world")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{(tmp / 'socialcredit.db').as_posix()}"])
        cleanup = None
    else:
        cleanup = fresh_postgres_database(request.getfixturevalue("postgres_admin"))
        urls = cleanup
    url = next(urls)
    store = open_store(url)
    try:
        w = build_world(store, tmp)
        with w.client:
            yield w
    finally:
        store.close()
        if cleanup is not None:
            next(cleanup, None)
