"""The audit log in the store: appends commit with the write, verify passes on an intact log."""

from __future__ import annotations

from socialcredit.audit import subject_history, verify_store
from socialcredit.store import Store
from tests.audit.conftest import P1, P2


def test_an_intact_log_verifies(audited: Store) -> None:
    report = verify_store(audited)
    assert report.ok, report.problems
    assert report.records == 11 and report.batches == 3
    assert report.leaves == 11 + 3 + 3 and report.checkpoints == 6


def test_subject_history_names_who_read_and_wrote(audited: Store) -> None:
    actions = [(row.actor, row.action) for row in subject_history(audited, P1)]
    assert ("authority:RC-COURT", "record.write") in actions
    assert ("party:bank-1", "file.read") in actions
    assert [row.action for row in subject_history(audited, P2)][-2:] == ["decision", "file.read"]
