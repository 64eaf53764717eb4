"""The bridge from the service's event hook to the audit log."""

from __future__ import annotations

from socialcredit.audit import subject_history, verify_store
from socialcredit.service import hooks
from socialcredit.service.audit_bridge import attach
from socialcredit.store import Store
from tests.factories import person


def test_reported_acts_are_logged_until_detached(store: Store) -> None:
    detach = attach(store)
    try:
        hooks.record_event("read", party="bank-1", subject_id=person(1), detail={"what": "file", "score": 0.5})
        hooks.record_event("decisions", party="rail", subject_id=None, detail={"count": 3})
    finally:
        detach()
    hooks.record_event("read", party="bank-1", subject_id=person(1), detail={})
    rows = subject_history(store, person(1))
    assert [(r.actor, r.action, r.detail) for r in rows] == [
        ("party:bank-1", "file.read", {"what": "file", "score": "0.5"})
    ]
    report = verify_store(store)
    assert report.ok and report.leaves == 2
