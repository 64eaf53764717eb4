"""How a store is opened: its audit key from the settings (never from the environment behind their back), its
clock injected, and the due-process write in the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from socialcredit.audit import log_read, verify_store
from socialcredit.authorities import Authority
from socialcredit.errors import ConfigurationError, ConflictError
from socialcredit.settings import Settings
from socialcredit.store import Store, Submission, open_store, open_store_for
from socialcredit.tables.audit import audit_checkpoints_table, audit_leaves_table
from socialcredit.tables.records import authorities_table, records_table
from tests.factories import person, record

COURT = Authority("RC-COURT", "Rongcheng People's Court", "371082", ("court.*",))
JUDGMENT = "court.contract_breach_judgment"
P1 = person(1)
FIXED = datetime(2026, 3, 4, 5, 6, 7, 890_123, tzinfo=UTC)


def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> Settings:
    for name in ("SOCIALCREDIT_AUDIT_KEY", "SOCIALCREDIT_AUDIT_KEY_FILE", "SOCIALCREDIT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(f"SOCIALCREDIT_{name}", value)
    return Settings(data_dir=tmp_path)


# -- the audit key in the settings -------------------------------------------------------------------------------


def test_the_audit_key_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert settings(monkeypatch, tmp_path).audit_key_bytes() is None
    assert settings(monkeypatch, tmp_path, AUDIT_KEY="").audit_key_bytes() is None
    keyed = settings(monkeypatch, tmp_path, AUDIT_KEY="sëcret")
    assert keyed.audit_key_bytes() == "sëcret".encode()
    assert "sëcret" not in repr(keyed) and "sëcret" not in str(keyed.model_dump())


def test_the_audit_key_file_is_read_stripped_and_an_empty_one_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key_file = tmp_path / "audit.key"
    key_file.write_bytes(b"\n  file key \n")
    assert settings(monkeypatch, tmp_path, AUDIT_KEY_FILE=str(key_file)).audit_key_bytes() == b"file key"
    # The text key wins over the file.
    assert settings(monkeypatch, tmp_path, AUDIT_KEY="text", AUDIT_KEY_FILE=str(key_file)).audit_key_bytes() == b"text"
    key_file.write_bytes(b" \n")
    with pytest.raises(ConfigurationError, match="is empty"):
        settings(monkeypatch, tmp_path, AUDIT_KEY_FILE=str(key_file)).audit_key_bytes()
    with pytest.raises(ConfigurationError, match=r"missing\.key"):
        settings(monkeypatch, tmp_path, AUDIT_KEY_FILE=str(tmp_path / "missing.key")).audit_key_bytes()
    assert settings(monkeypatch, tmp_path, AUDIT_KEY_FILE="").audit_key_bytes() is None


def test_a_store_opened_from_the_settings_seals_with_their_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_url: str
) -> None:
    keyed = settings(monkeypatch, tmp_path, AUDIT_KEY="test key", DATABASE_URL=store_url)
    with open_store_for(keyed) as store:
        store.migrate()
        assert store.audit_log.key_id.startswith("hmac-sha256:")
        store.add_authority(COURT)
        store.add_records("RC-COURT", [record(P1, JUDGMENT, "2024-01-02", "J-1")], source="s")
        assert verify_store(store).ok
    # The environment alone keys nothing: a store opened by URL without the key does not verify the log.
    with open_store(store_url) as unkeyed:
        report = verify_store(unkeyed)
    assert not report.ok and "sealed with key" in report.problems[0]


# -- the clock ---------------------------------------------------------------------------------------------------


def test_the_clock_stamps_authorities_batches_and_leaves(store_url: str) -> None:
    with open_store(store_url, clock=lambda: FIXED) as store:
        store.migrate()
        store.add_authority(COURT)
        store.add_records("RC-COURT", [record(P1, JUDGMENT, "2024-01-02", "J-1")], source="s")
        log_read(store, "party:bank-1", P1, "loan")
        with store.read_snapshot() as conn:
            assert conn.execute(select(authorities_table.c.created_at)).scalar_one() == FIXED
            assert set(conn.execute(select(records_table.c.recorded_at)).scalars()) == {FIXED}
            assert set(conn.execute(select(audit_leaves_table.c.recorded_at)).scalars()) == {FIXED}
            assert set(conn.execute(select(audit_checkpoints_table.c.created_at)).scalars()) == {FIXED}
        assert [b.recorded_at for b in store.batches()] == [FIXED]
        assert store.clock() == FIXED and store.audit_log.clock() == FIXED
        assert verify_store(store).ok


def test_a_batch_stamped_with_a_naive_instant_is_refused(store: Store) -> None:
    store.add_authority(COURT)
    with pytest.raises(ValueError, match="aware"):
        store.add_records(
            "RC-COURT", [record(P1, JUDGMENT, "2024-01-02")], source="s", recorded_at=datetime(2026, 1, 1)
        )


# -- a batch written in the caller's transaction -----------------------------------------------------------------


def _leaves(store: Store) -> int:
    with store.read_snapshot() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_leaves_table)).scalar_one())


def test_add_records_in_writes_the_batch_and_its_leaves_in_the_callers_transaction(store: Store) -> None:
    store.add_authority(COURT)
    submission = Submission("RC-COURT", [record(P1, JUDGMENT, "2024-01-02", f"J-{i}") for i in range(3)], "due")
    with store.write_transaction() as conn:
        result = store.add_records_in(conn, submission, at=FIXED, actor="party:reviewer")
        log_read(conn, "party:reviewer", P1, "deciding", log=store.audit_log)
    assert result.inserted == 3 and result.unchanged == 0 and result.batch_id is not None
    assert _leaves(store) == 1 + 3 + 1
    report = verify_store(store)
    assert report.ok, report.problems
    assert report.records == 3 and report.batches == 1 and report.checkpoints == 2
    assert {r.recorded_at for r in store.load_records()} == {FIXED}

    # The same batch again: nothing written, nothing appended.
    with store.write_transaction() as conn:
        again = store.add_records_in(conn, submission)
    assert again.inserted == 0 and again.unchanged == 3 and again.batch_id is None
    assert _leaves(store) == 5 and verify_store(store).checkpoints == 2


def test_add_records_in_rolls_back_with_the_callers_transaction(store: Store) -> None:
    store.add_authority(COURT)
    submission = Submission("RC-COURT", [record(P1, JUDGMENT, "2024-01-02", "J-1")], "due")
    with pytest.raises(RuntimeError), store.write_transaction() as conn:
        store.add_records_in(conn, submission)
        raise RuntimeError("the decision failed after the write")
    assert store.count_records() == 0 and _leaves(store) == 0 and verify_store(store).ok

    conflicting = Submission("RC-COURT", [record(P1, JUDGMENT, "2024-01-02", "J-1", amount=1)], "due")
    store.add_records("RC-COURT", submission.records, source="first")
    with pytest.raises(ConflictError), store.write_transaction() as conn:
        store.add_records_in(conn, conflicting)
    assert store.count_records() == 1 and verify_store(store).ok


def test_logging_on_a_connection_needs_the_stores_log(store: Store) -> None:
    with pytest.raises(ValueError, match=r"log=store\.audit_log"), store.write_transaction() as conn:
        log_read(conn, "party:bank-1", P1, "loan")
