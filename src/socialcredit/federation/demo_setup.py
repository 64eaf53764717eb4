"""Five platforms on this machine, each with its own store, authorities, parties and federation document: the city
platforms of Weihai (371000, where Rongcheng is) and Qingdao (370200), the Shandong provincial platform (370000),
the national platform (000000) and the civil-aviation sector system of the CAAC (000000), which lists the passengers
restricted from flying.

Each city shares its courts' and regulators' records with the province and the national platform; the national
platform relays the judgment-debtor records it holds (its own court's and the cities') and the CAAC's flight
restrictions down to every city and the province, so that a ticket seller connected to any city gets the national
answer. The province and the national platform cross-check what each saw of the cities (a fork shown to one of them
is caught). Every origin issues a token to each of its receivers; the receiver keeps it in ``peers/<origin>.token``.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from socialcredit.authorities import Authority
from socialcredit.ids import make_resident_id
from socialcredit.service.parties import Party, Role, add_party, issue_token
from socialcredit.store import open_store

RESIDENT = make_resident_id("371082", date(1985, 3, 9), 17)
"""The demo's resident of Rongcheng (Weihai), with an account on every platform."""

SHARED_UP = ["court_enforcement", "court_judgment", "administrative_penalty"]
SHARED_DOWN = ["court_enforcement", "aviation_safety"]


@dataclass(frozen=True)
class DemoPlatform:
    """One platform of the demo federation."""

    name: str
    title: str
    jurisdiction: str
    court: Authority
    port: int
    folder: Path

    @property
    def clerk(self) -> str:
        """The code of the party that submits its authority's records: ``court``, or ``clerk`` elsewhere."""
        return "court" if "court.*" in self.court.competences else "clerk"

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        """Its own SQLite store."""
        return f"sqlite:///{(self.folder / 'socialcredit.db').resolve().as_posix()}"

    def env(self, pull_seconds: float) -> dict[str, str]:
        """The environment its ``serve`` process runs with."""
        return {
            **os.environ,
            "SOCIALCREDIT_DATA_DIR": str(self.folder),
            "SOCIALCREDIT_DATABASE_URL": self.database_url,
            "SOCIALCREDIT_FEDERATION_FILE": str(self.folder / "federation.yaml"),
            "SOCIALCREDIT_FEDERATION_PULL_SECONDS": str(pull_seconds),
        }

    def serve_command(self) -> list[str]:
        """The command that serves it."""
        return [sys.executable, "-m", "socialcredit.cli.main", "serve", "--port", str(self.port)]


def platforms(folder: Path, base_port: int) -> list[DemoPlatform]:
    """The five platforms, on ports ``base_port`` to ``base_port + 4``, in folders under ``folder``."""
    specs = [
        (
            "weihai",
            "Weihai city credit platform",
            "371000",
            Authority("WH-COURT", "Weihai Intermediate People's Court", "371000", ("court.*",)),
        ),
        (
            "qingdao",
            "Qingdao city credit platform",
            "370200",
            Authority("QD-COURT", "Qingdao Intermediate People's Court", "370200", ("court.*",)),
        ),
        (
            "shandong",
            "Shandong provincial credit platform",
            "370000",
            Authority("SD-COURT", "Shandong High People's Court", "370000", ("court.*",)),
        ),
        (
            "national",
            "National credit information sharing platform",
            "000000",
            Authority("SPC", "Supreme People's Court", "000000", ("court.*",)),
        ),
        (
            "caac",
            "Civil aviation credit system (CAAC)",
            "000000",
            Authority("CAAC", "Civil Aviation Administration of China", "000000", ("civil_aviation",)),
        ),
    ]
    return [
        DemoPlatform(name, title, division, court, base_port + i, folder / name)
        for i, (name, title, division, court) in enumerate(specs)
    ]


def documents(nodes: list[DemoPlatform]) -> dict[str, dict[str, Any]]:
    """Each platform's federation document."""
    by = {n.name: n for n in nodes}
    cities = ["weihai", "qingdao"]

    def peer(origin: str, channel: str, witnesses: list[str] | None = None) -> dict[str, Any]:
        node = by[origin]
        out: dict[str, Any] = {
            "platform": origin,
            "url": node.url,
            "jurisdiction": node.jurisdiction,
            "channels": [channel],
            "token_file": f"peers/{origin}.token",
        }
        if witnesses:
            out["witnesses"] = witnesses
        return out

    docs: dict[str, dict[str, Any]] = {}
    for city in cities:
        docs[city] = {
            "platform": city,
            "jurisdiction": by[city].jurisdiction,
            "channels": [{"name": f"{city}-records", "categories": SHARED_UP, "receivers": ["shandong", "national"]}],
            "peers": [peer("national", "national-lists")],
        }
    docs["shandong"] = {
        "platform": "shandong",
        "jurisdiction": "370000",
        "channels": [{"name": "shandong-records", "categories": SHARED_UP, "receivers": ["national"]}],
        "peers": [*(peer(c, f"{c}-records", ["national"]) for c in cities), peer("national", "national-lists")],
    }
    docs["national"] = {
        "platform": "national",
        "jurisdiction": "000000",
        "channels": [
            {"name": "national-lists", "categories": SHARED_DOWN, "relay": True, "receivers": [*cities, "shandong"]}
        ],
        "peers": [
            *(peer(c, f"{c}-records", ["shandong"]) for c in cities),
            peer("shandong", "shandong-records"),
            peer("caac", "caac-restrictions"),
        ],
    }
    docs["caac"] = {
        "platform": "caac",
        "jurisdiction": "000000",
        "channels": [{"name": "caac-restrictions", "categories": ["aviation_safety"], "receivers": ["national"]}],
        "peers": [],
    }
    return docs


def prepare(folder: Path, base_port: int) -> tuple[list[DemoPlatform], dict[str, str]]:
    """Create (or bring up to date) every platform's store, parties, tokens and federation document; returns
    the platforms and ``NAME=value`` lines for a shell: each URL and each party's token."""
    nodes = platforms(folder, base_port)
    docs = documents(nodes)
    env: dict[str, str] = {"RESIDENT_ID": RESIDENT}
    for node in nodes:
        node.folder.mkdir(parents=True, exist_ok=True)
        (node.folder / "peers").mkdir(exist_ok=True)
        doc = docs[node.name]
        # Token files are relative to the document's folder: written as absolute paths for the process.
        for p in doc["peers"]:
            p["token_file"] = str((node.folder / p["token_file"]).resolve())
        (node.folder / "federation.yaml").write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    for node in nodes:
        store = open_store(node.database_url)
        try:
            store.migrate()
            store.add_authority(node.court)
            parties = [
                Party(node.clerk, Role.AUTHORITY, f"{node.court.name} (clerk)", authority=node.court.code),
                Party(
                    "seller",
                    Role.PROVIDER,
                    "Airline and railway ticketing",
                    actions=("buy_air_ticket", "buy_g_train_ticket"),
                ),
                Party("reviewer", Role.REVIEWER, "Objection and repair reviewer"),
                Party("resident", Role.SUBJECT, "A resident of Rongcheng", subject_id=RESIDENT),
                Party("operator", Role.OPERATOR, "Platform operator"),
                *[Party(other.name, Role.PLATFORM, other.title) for other in nodes if other is not node],
            ]
            prefix = node.name.upper()
            env[prefix] = node.url
            for party in parties:
                add_party(store, party)
                token = issue_token(store, party.code, label="federation demo")
                if party.role is Role.PLATFORM:
                    (folder / party.code / "peers" / f"{node.name}.token").write_text(token, encoding="utf-8")
                else:
                    env[f"{prefix}_{party.code.upper()}"] = token
        finally:
            store.close()
    return nodes, env
