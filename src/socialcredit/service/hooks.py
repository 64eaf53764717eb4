"""The audit hook: every read of a subject's file, every decision served, every write and refusal is reported here.

The tamper-evident log (:mod:`socialcredit.audit`) subscribes with :func:`subscribe`; tests may too. A listener
that fails does not undo the act (that is already committed in the access log); the failure propagates only
when ``strict`` listeners are registered, so that an audit outage can be made to stop the service instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[[str, str, "str | None", "dict[str, Any]"], None]
"""``listener(kind, party, subject_id, detail)``."""

_listeners: list[tuple[Listener, bool]] = []


def subscribe(listener: Listener, *, strict: bool = False) -> Callable[[], None]:
    """Register a listener; returns a function that unregisters it."""
    entry = (listener, strict)
    _listeners.append(entry)

    def unsubscribe() -> None:
        if entry in _listeners:
            _listeners.remove(entry)

    return unsubscribe


def record_event(kind: str, *, party: str, subject_id: str | None, detail: dict[str, Any]) -> None:
    """Report one act to every listener."""
    for listener, strict in list(_listeners):
        try:
            listener(kind, party, subject_id, detail)
        except Exception:
            if strict:
                raise
