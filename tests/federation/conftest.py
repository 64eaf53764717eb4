"""A small federation in one process: platforms, each an app over its own store, wired by test clients.

``federation`` builds city-a (Rongcheng's city, 371000), province (Shandong, 370000), national (000000) and
city-b (Qingdao, 370200) on the ``store`` backends (SQLite, and PostgreSQL when configured), each with its own
store, authorities, parties and federation document. :meth:`Fed.source` is one platform's view of another over
HTTP (the receiver's token on the origin's test client).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from socialcredit.api import create_app
from socialcredit.authorities import Authority
from socialcredit.catalogue.loading import shipped_catalogue
from socialcredit.federation.config import FederationConfig, load_federation_file
from socialcredit.federation.http_source import CaseClient, HttpSource
from socialcredit.federation.pulling import peer_of
from socialcredit.federation.receiving import Received
from socialcredit.service.notices import MemorySender
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.settings import Settings
from socialcredit.store import Store, open_store
from tests.conftest import STORE_BACKENDS, fresh_postgres_database
from tests.factories import person

START = datetime(2026, 6, 30, 2, 0, tzinfo=UTC)
RONGCHENG_PERSON = person(11, division="371082")
QINGDAO_PERSON = person(12, division="370202")
SHANGHAI_PERSON = person(13, division="310101")

DOCUMENTS: dict[str, dict[str, Any]] = {
    "city-a": {
        "platform": "city-a",
        "jurisdiction": "371000",
        "channels": [
            {
                "name": "city-a-records",
                "categories": ["court_enforcement", "court_judgment"],
                "receivers": ["national", "province"],
            },
        ],
        "peers": [
            {"platform": "national", "url": "http://national", "jurisdiction": "000000", "channels": ["lists-down"]},
        ],
    },
    "province": {
        "platform": "province",
        "jurisdiction": "370000",
        "channels": [],
        "peers": [
            {
                "platform": "city-a",
                "url": "http://city-a",
                "jurisdiction": "371000",
                "channels": ["city-a-records"],
                "witnesses": ["national"],
            },
            {"platform": "national", "url": "http://national", "jurisdiction": "000000", "channels": ["lists-down"]},
        ],
    },
    "national": {
        "platform": "national",
        "jurisdiction": "000000",
        "channels": [
            {
                "name": "lists-down",
                "categories": ["court_enforcement", "aviation_safety"],
                "receivers": ["city-a", "city-b", "province"],
                "relay": True,
            },
        ],
        "peers": [
            {
                "platform": "city-a",
                "url": "http://city-a",
                "jurisdiction": "371000",
                "channels": ["city-a-records"],
                "witnesses": ["province"],
            },
            {"platform": "caac", "url": "http://caac", "jurisdiction": "000000", "channels": ["caac-restrictions"]},
        ],
    },
    "caac": {
        "platform": "caac",
        "jurisdiction": "000000",
        "channels": [{"name": "caac-restrictions", "categories": ["aviation_safety"], "receivers": ["national"]}],
        "peers": [],
    },
    "city-b": {
        "platform": "city-b",
        "jurisdiction": "370200",
        "channels": [],
        "peers": [
            {"platform": "national", "url": "http://national", "jurisdiction": "000000", "channels": ["lists-down"]},
        ],
    },
}

AUTHORITIES: dict[str, list[Authority]] = {
    "city-a": [
        Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",)),
        Authority("RC-TRAFFIC", "Rongcheng traffic police", "371082", ("traffic.*",)),
        # Registered on city-a by mistake: a Shanghai court, outside the city's jurisdiction.
        Authority("SH-COURT", "Shanghai Huangpu Court", "310101", ("court.*",)),
    ],
    "national": [Authority("SPC", "Supreme People's Court", "000000", ("court.*",))],
    "caac": [Authority("CAAC", "Civil Aviation Administration of China", "000000", ("civil_aviation",))],
    "province": [],
    "city-b": [Authority("QD-COURT", "Qingdao Intermediate Court", "370200", ("court.*",))],
}


@dataclass
class Node:
    """One platform: its store, app, client, federation and the tokens of its parties."""

    name: str
    store: Store
    client: TestClient
    config: FederationConfig
    tokens: dict[str, str]
    sender: MemorySender

    def call(self, who: str | None, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return self.client.request(method, path, headers=headers, **kw)

    def ok(self, who: str | None, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        response = self.call(who, method, path, **kw)
        assert response.status_code == status, (response.status_code, response.text)
        return response.json()

    def submit(self, who: str, *records: dict[str, Any]) -> Any:
        return self.ok(who, "POST", "/v1/records", json={"source": "test", "records": list(records)})

    def decide(self, subject: str, action: str = "buy_air_ticket") -> str:
        body = {"subject_id": subject, "action": action}
        return self.ok("seller", "POST", "/v1/decisions/one", json=body)["decision"]


@dataclass
class Fed:
    """The four platforms and the clock they share."""

    nodes: dict[str, Node]
    now: list[datetime]
    counter: list[int] = field(default_factory=lambda: [0])

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    def source(self, receiver: str, origin: str) -> HttpSource:
        """``receiver``'s view of ``origin`` over HTTP."""
        node = self.nodes[origin]
        return HttpSource(origin, "http://testserver", node.tokens[receiver], client=node.client)

    def pull(self, receiver: str, origin: str, channel: str | None = None) -> Received:
        """One verified pull, as the receiver's own federation makes it (corrections notified)."""
        node = self.nodes[receiver]
        peer = peer_of(node.config, origin)
        federation = node.client.app.state.federation  # type: ignore[attr-defined]
        return federation.pull_link(peer, channel or peer.channels[0], self.source(receiver, origin))

    def cases(self, receiver: str) -> Callable[[Any], CaseClient]:
        """How ``receiver`` reaches its peers' case interface: their test clients, with its tokens there."""

        def connect(peer: Any) -> CaseClient:
            node = self.nodes[peer.platform]
            return CaseClient(peer.platform, "http://testserver", node.tokens[receiver], client=node.client)

        return connect

    def listing(self, subject: str, case_no: str, record_id: str | None = None) -> dict[str, Any]:
        self.counter[0] += 1
        return {
            "record_id": record_id or f"L{self.counter[0]:05d}",
            "subject_id": subject,
            "type": "court.dishonest_listing",
            "occurred_at": "2026-06-01",
            "attributes": {"case_no": case_no, "ground": 1},
            "legal_basis": "SPC Provisions (法释〔2017〕7号), Art. 1",
        }

    def advance(self, seconds: float) -> None:
        self.now[0] += timedelta(seconds=seconds)


def build_node(name: str, store: Store, tmp: Path, now: list[datetime]) -> Node:
    store.migrate()
    for authority in AUTHORITIES[name]:
        store.add_authority(authority)
    parties = [
        Party("seller", Role.PROVIDER, "12306 ticketing", actions=("buy_air_ticket", "buy_g_train_ticket")),
        Party("operator", Role.OPERATOR, "Operator"),
        Party("reviewer", Role.REVIEWER, "Reviewer"),
        Party("person", Role.SUBJECT, "A resident of Rongcheng", subject_id=RONGCHENG_PERSON),
        *[Party(a.code.lower(), Role.AUTHORITY, f"{a.name} clerk", authority=a.code) for a in AUTHORITIES[name]],
        *[Party(other, Role.PLATFORM, f"The {other} platform") for other in DOCUMENTS if other != name],
    ]
    tokens = {}
    for party in parties:
        add_party(store, party)
        tokens[party.code] = issue_token(store, party.code)
    folder = tmp / name
    folder.mkdir(parents=True, exist_ok=True)
    document = folder / "federation.yaml"
    document.write_text(yaml.safe_dump(DOCUMENTS[name]), encoding="utf-8")
    settings = Settings(
        data_dir=folder, database_url=store.url if store.backend == "sqlite" else None, federation_file=document
    )
    sender = MemorySender()
    app = create_app(settings, store=store, clock=lambda: now[0], sender=sender)
    config = load_federation_file(document, shipped_catalogue())
    return Node(name, store, TestClient(app), config, tokens, sender)


@pytest.fixture(params=STORE_BACKENDS)
def store_maker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Store]]:
    """Makes a new empty store per platform name, on the backend of the parameter; closes them after."""
    opened: list[Store] = []
    cleanups: list[Iterator[str]] = []

    def make(name: str) -> Store:
        if request.param == "sqlite":
            url = f"sqlite:///{(tmp_path / f'{name}.db').as_posix()}"
        else:
            database = fresh_postgres_database(request.getfixturevalue("postgres_admin"))
            cleanups.append(database)
            url = next(database)
        store = open_store(url, clock=lambda: clock[0])
        opened.append(store)
        return store

    clock = [START]
    make.clock = clock  # type: ignore[attr-defined]
    yield make
    for store in opened:
        store.close()
    for database in cleanups:
        next(database, None)


@pytest.fixture
def fed(store_maker: Callable[[str], Store], tmp_path: Path) -> Iterator[Fed]:
    now = store_maker.clock  # type: ignore[attr-defined]
    nodes = {name: build_node(name, store_maker(name), tmp_path, now) for name in DOCUMENTS}
    for node in nodes.values():
        node.client.__enter__()
    try:
        yield Fed(nodes, now)
    finally:
        for node in nodes.values():
            node.client.__exit__(None, None, None)
