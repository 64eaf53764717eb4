"""``socialcredit audit verify | show | head`` on every store backend."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from socialcredit.cli.main import main
from socialcredit.store import open_store
from socialcredit.tables.audit import audit_leaves_table
from tests.factories import person

P1 = person(1)


@pytest.fixture
def cli(store_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "240")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("SOCIALCREDIT_AUDIT_KEY", "test key")

    def invoke(*argv: str) -> tuple[int, str, str]:
        try:
            main(["--database-url", store_url, *argv])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def ingested(cli, tmp_path: Path):
    assert cli("init")[0] == 0
    assert (
        cli("authority", "add", "RC-COURT", "--name", "Court", "--jurisdiction", "371082", "--competence", "court.*")[0]
        == 0
    )
    path = tmp_path / "j.csv"
    path.write_text(f"record_id,subject_id,type,occurred_at,amount\nJ-1,{P1},court.contract_breach_judgment,2024-01-02,100\n")
    code, _, err = cli("ingest", str(path), "--authority", "RC-COURT")
    assert code == 0, err
    return cli


def test_verify_intact_then_tampered(ingested, store_url: str, tmp_path: Path) -> None:
    code, out, _ = ingested("audit", "verify")
    assert code == 0 and "audit log intact: 2 leaves, 1 checkpoints (hmac-sha256:" in out

    code, out, _ = ingested("audit", "head")
    assert code == 0
    witness = out.splitlines()[0]
    assert witness.startswith("2:")
    assert ingested("audit", "verify", "--witness", witness)[0] == 0
    assert ingested("audit", "verify", "--witness", "3:" + "00" * 32)[0] == 1
    assert ingested("audit", "verify", "--witness", "nonsense")[0] == 1
    witness_file = tmp_path / "witness.txt"
    witness_file.write_text(out + "0:" + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n")
    assert ingested("audit", "verify", "--witness-file", str(witness_file))[0] == 0
    witness_file.write_text(out.replace("2:", "1:"))
    code, _, err = ingested("audit", "verify", "--witness-file", str(witness_file))
    assert code == 1 and "the log was rewritten" in err

    store = open_store(store_url)
    with store.engine.begin() as conn:
        conn.execute(update(audit_leaves_table).where(audit_leaves_table.c.seq == 1).values(actor="authority:X"))
    store.close()
    code, _, err = ingested("audit", "verify")
    assert code == 1 and "audit log TAMPERED: leaf 1: stored leaf hash does not match" in err


def test_a_different_key_does_not_verify(ingested, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCIALCREDIT_AUDIT_KEY", "another key")
    code, _, err = ingested("audit", "verify")
    assert code == 1 and "checkpoint 0: sealed with key" in err


def test_show_names_who_wrote_and_read(ingested, store_url: str) -> None:
    from socialcredit.audit import log_read

    store = open_store(store_url)
    log_read(store, "party:bank-1", P1, "loan application")
    store.close()
    code, out, _ = ingested("audit", "show", "--subject", P1)
    assert code == 0
    assert "authority:RC-COURT" in out and "record.write" in out and "record:RC-COURT/J-1" in out
    assert "party:bank-1" in out and "file.read" in out and "loan application" in out
    code, out, _ = ingested("audit", "show", "--subject", P1, "--json")
    assert code == 0 and len(out.splitlines()) == 2 and '"purpose": "loan application"' in out
    code, out, _ = ingested("audit", "show", "--subject", person(2))
    assert code == 0 and "no audited access" in out
