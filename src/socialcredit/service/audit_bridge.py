"""Bridge from the service's event hook (:mod:`socialcredit.service.hooks`) to the tamper-evident log.

``attach(store)`` subscribes a listener that appends one leaf per reported act (a read of a file, a decision
batch, a refusal, an objection filed or decided), in a transaction of its own, after the act. Prefer calling
:func:`socialcredit.audit.log_read` / :func:`~socialcredit.audit.log_decision` with the connection of the
transaction that serves the act: then the act and its audit entry commit together or not at all. This bridge
is for acts whose code has no such transaction at hand; attach it ``strict`` so that an audit failure fails
the request rather than letting an act go unlogged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from socialcredit.audit.acts import AuditedStore, log_access
from socialcredit.audit.encoding import ACTION_DECISION, ACTION_FILE_READ
from socialcredit.service import hooks

ACTIONS = {"read": ACTION_FILE_READ, "decisions": ACTION_DECISION, "refusal": "access.refused"}
"""Service event kinds that get another action name in the log; the rest keep their kind (``objection.file``)."""


def plain(value: Any) -> Any:
    """A JSON value with one spelling: floats and other objects become text."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return str(value)


def attach(store: AuditedStore, *, strict: bool = True) -> Callable[[], None]:
    """Log every act the service reports; returns the function that detaches the listener."""
    def listener(kind: str, party: str, subject_id: str | None, detail: dict[str, Any]) -> None:
        action = ACTIONS.get(kind, kind)[:64]
        log_access(store, f"party:{party}"[:128], action, subject_id, detail=plain(detail))

    return hooks.subscribe(listener, strict=strict)
