"""A store with an audit log built through real ingestion: two authorities, several batches, reads, a decision."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from socialcredit.audit import log_decision, log_read
from socialcredit.authorities import Authority
from socialcredit.service.ingest import ingest_file, ingest_records
from socialcredit.store import Store
from tests.factories import organization, person, record

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
CITY = Authority("WH-CITY", "Weihai City Office", "371000", ("commerce.*",))
JUDGMENT = "court.contract_breach_judgment"
P1, P2, ORG = person(1), person(2), organization(1)


def build_log(store: Store, tmp_path: Path) -> Store:
    """Ingest a file and records, correct one, read two files, decide once: 5 commits, ~20 leaves."""
    store.add_authority(COURT)
    store.add_authority(CITY)
    path = tmp_path / "court.csv"
    rows = [f"J-{i},{P1 if i % 2 else P2},{JUDGMENT},2024-01-{i + 1:02d},,,{100 * i}" for i in range(6)]
    path.write_text("record_id,subject_id,type,occurred_at,supersedes,revoked,amount\n" + "\n".join(rows) + "\n")
    ingest_file(store, path, "RC-COURT", now=datetime(2025, 1, 10, 8, tzinfo=UTC))
    ingest_records(
        store,
        [
            record(ORG, "commerce.other_dishonesty", "2024-03-01", f"C-{i}", points=-5 - i, decision_no="罚 ünïcode")
            for i in range(4)
        ],
        "WH-CITY",
        source="feed",
    )
    log_read(store, "party:bank-1", P1, "loan application")
    ingest_records(
        store,
        [record(P1, JUDGMENT, "2024-01-02", "J-1b", supersedes="J-1", amount=50)],
        "RC-COURT",
        source="correction",
    )
    log_decision(store, "party:rail-12306", P2, "rail.ticket", "deny", reference="D-1")
    log_read(store, "subject:" + P2, P2, "own file")
    return store


@pytest.fixture
def audited(store: Store, tmp_path: Path) -> Store:
    return build_log(store, tmp_path)
