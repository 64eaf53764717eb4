"""A clock the operator can set: ``--today`` / ``SOCIALCREDIT_TODAY`` moves every job to another day, is
written in the audit log, and cannot move behind the store's last write."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Select, select

from socialcredit.dates import CHINA_STANDARD_TIME
from socialcredit.errors import InputError
from socialcredit.service.clock import clock_from, target_day
from socialcredit.settings import Settings
from socialcredit.store import open_store
from socialcredit.tables.audit import audit_leaves_table
from tests.cli.test_engine_commands import run, write
from tests.factories import person

P = person(1)


def _today() -> date:
    return datetime.now(CHINA_STANDARD_TIME).date()


def test_the_setting_names_a_day_or_days_from_today() -> None:
    assert target_day("2027-01-05", date(2026, 12, 2)) == date(2027, 1, 5)
    assert target_day("+16", date(2026, 12, 2)) == date(2026, 12, 18)
    with pytest.raises(InputError, match="YYYY-MM-DD or"):
        target_day("tomorrow", date(2026, 12, 2))
    wall = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    moved = clock_from(Settings(today="+16"), wall=lambda: wall)
    assert moved() == wall + timedelta(days=16)  # the time of day unchanged
    assert clock_from(Settings(), wall=lambda: wall)() == wall


def test_explain_and_decide_default_to_the_set_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    day = _today() - timedelta(days=10)
    records = write(
        tmp_path / "r.csv",
        "record_id,subject_id,type,occurred_at,case_no,ground\n"
        f"1,{P},court.dishonest_listing,{day - timedelta(days=730)},C1,5\n",
    )
    base = ["--data-dir", str(tmp_path)]
    # The two-year entry ends 10 days before today: denied on a day before it ends, allowed today.
    assert (
        run(
            *base,
            "--today",
            (day - timedelta(days=1)).isoformat(),
            "decide",
            "--scheme",
            "judgment-debtors",
            P,
            "buy_air_ticket",
            "--records",
            str(records),
            "--json",
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["decision"] == "deny"
    assert (
        run(*base, "decide", "--scheme", "judgment-debtors", P, "buy_air_ticket", "--records", str(records), "--json")
        == 0
    )
    assert json.loads(capsys.readouterr().out)["decision"] == "allow"


def test_a_set_clock_is_written_in_the_audit_log_and_cannot_go_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    base = ["--data-dir", str(tmp_path)]
    assert run(*base, "init") == 0
    assert run(*base, "--today", "+30", "authority", "list") == 0
    with open_store(f"sqlite:///{tmp_path / 'socialcredit.db'}") as store, store.read_snapshot() as conn:
        (leaf,) = [r for r in conn.execute(store_leaves()) if r.action == "clock.set"]
    assert leaf.detail["offset_days"] == 30 and leaf.detail["setting"] == "+30"
    capsys.readouterr()
    assert run(*base, "authority", "list") == 1  # the wall clock is now 30 days behind the last write
    assert "SOCIALCREDIT_TODAY" in capsys.readouterr().err
    monkeypatch.setenv("SOCIALCREDIT_TODAY", "+31")
    assert run(*base, "authority", "list") == 0
    monkeypatch.setenv("SOCIALCREDIT_TODAY", "soon")
    assert run(*base, "authority", "list") == 1
    assert "today" in capsys.readouterr().err


def store_leaves() -> Select:
    return select(audit_leaves_table).order_by(audit_leaves_table.c.seq)
