"""Event hooks: every read of a subject's file, every decision served, every write and refusal is reported here.

The tamper-evident audit log is written directly, in the transaction of the act (see
:meth:`socialcredit.service.platform.Platform.audit`), so that no act commits without its leaf. These hooks are
for everything else that wants to watch (metrics, alerts, tests): a listener that fails does not undo the act,
unless it was registered ``strict``, when the failure propagates to the caller.
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
