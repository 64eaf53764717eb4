"""Due process in the service layer: deadlines from the scheme and the settings, minimum periods for repair,
the notice outbox and its senders."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from socialcredit.authorities import Authority
from socialcredit.errors import InputError
from socialcredit.service.case_filing import working_days_after
from socialcredit.service.due_process import DueProcess
from socialcredit.service.notices import FileSender, MemorySender
from socialcredit.service.parties import Party, PermissionDenied, Role, add_party
from socialcredit.service.platform import Platform
from socialcredit.service.public_views import mask_subject
from socialcredit.settings import Settings
from socialcredit.store import Store
from tests.factories import organization, person, record

COURT = Party("court", Role.AUTHORITY, "court", authority="RC-COURT")
ALICE = Party("alice", Role.SUBJECT, "alice", subject_id=person(1))
OPERATOR = Party("operator", Role.OPERATOR, "operator")


@pytest.fixture
def setup(store: Store) -> Store:
    store.add_authority(Authority("RC-COURT", "court", "371082", ("court.*",)))
    for party in (COURT, ALICE, OPERATOR):
        add_party(store, party)
    return store


def _platform(store: Store, tmp_path: Path, **settings: object) -> tuple[Platform, list[datetime]]:
    now = [datetime(2026, 6, 30, 2, tzinfo=UTC)]
    platform = Platform(store, Settings(data_dir=tmp_path, **settings), clock=lambda: now[0], sender=MemorySender())
    return platform, now


def test_deadlines_come_from_the_scheme_unless_the_settings_say_otherwise(setup: Store, tmp_path: Path) -> None:
    platform, _ = _platform(setup, tmp_path, objection_days={"judgment-debtors": 5}, repair_working_days=3)
    platform.submit_records(COURT, [record(person(1), "court.dishonest_listing", "2026-06-01", case_no="C", ground=1)],
                            source="t")
    due = DueProcess(platform)
    filed = due.object(ALICE, scheme="judgment-debtors", statement="no",
                       target={"kind": "list_entry", "list_id": "dishonest-judgment-debtors"})
    assert filed["deadline"] == "2026-07-05"
    repair = due.apply_for_repair(ALICE, scheme="judgment-debtors", list_id="dishonest-judgment-debtors", key="C",
                                  obligation_performed=True, commitment="I will honour judgments.")
    assert repair["deadline"] == "2026-07-03"  # Tuesday 30 June + 3 working days


def test_repair_waits_for_the_minimum_period(setup: Store, tmp_path: Path) -> None:
    platform, now = _platform(setup, tmp_path, repair_min_days={"dishonest-judgment-debtors": 90})
    platform.submit_records(COURT, [record(person(1), "court.dishonest_listing", "2026-06-01", case_no="C", ground=1)],
                            source="t")
    due = DueProcess(platform)
    kwargs = {"scheme": "judgment-debtors", "list_id": "dishonest-judgment-debtors", "key": "C",
              "obligation_performed": True, "commitment": "I will honour judgments."}
    with pytest.raises(InputError, match="2026-08-30"):
        due.apply_for_repair(ALICE, **kwargs)
    now[0] += timedelta(days=61)
    assert due.apply_for_repair(ALICE, **kwargs)["status"] == "open"


def test_the_outbox_is_sent_once_by_the_file_sender(setup: Store, tmp_path: Path) -> None:
    platform, _ = _platform(setup, tmp_path)
    platform.sender = failing = MemorySender()
    failing.send = lambda notice: (_ for _ in ()).throw(OSError("down"))  # type: ignore[method-assign]
    platform.submit_records(COURT, [record(person(1), "court.dishonest_listing", "2026-06-01", case_no="C", ground=1)],
                            source="t")
    platform.sender = FileSender(tmp_path / "notices.jsonl")
    assert platform.dispatch_notices(OPERATOR) == {"sent": 1}
    assert platform.dispatch_notices(OPERATOR) == {"sent": 0}
    (line,) = (tmp_path / "notices.jsonl").read_text(encoding="utf-8").splitlines()
    notice = json.loads(line)
    assert notice["kind"] == "listing" and notice["recipient"] == person(1)
    with pytest.raises(PermissionDenied):
        platform.dispatch_notices(ALICE)


def test_masking_and_working_days() -> None:
    assert mask_subject(person(1)) == person(1)[:6] + "*" * 12
    assert mask_subject(organization(1)) == organization(1)
    assert mask_subject("passport:FRA:12AB34567") == "passport:FRA:********"
    assert mask_subject("passport:FRA:12345") == "passport:FRA:********"  # not even the length shows
    assert working_days_after(date(2026, 7, 3), 1) == date(2026, 7, 6)  # Friday -> Monday
