"""Due process across platforms: an objection filed here about a record another platform issued is decided there.

The subject files where they are (any platform holding the record); the case is filed here as any objection is —
the item marked disputed at once, its deadline running from the day of filing — and then *routed*: sent to the
issuing platform (or, when this platform does not pull from it, to the peer that delivered the record, which
routes it on), where it is filed with the same filing instant and deadline for that platform's reviewers. Its
reviewers decide; an upheld objection's correction is a new record version in the issuing authority's name,
which reaches every platform holding the record through the feeds, and each notifies the providers that received
decisions relying on the old version. The outcome comes back: the case here is closed with it and the subject
told. Reviewers here may not decide a routed case.

Sending and asking are retried at every exchange round until they succeed; a case is filed at the issuing
platform once however often it is sent (the sender's reference is the key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from socialcredit.authorities import ORIGIN_SEPARATOR
from socialcredit.errors import ConflictError, FederationError, InputError, NotFound, Problem
from socialcredit.federation.config import FederationConfig, Peer
from socialcredit.federation.entries import origin_of
from socialcredit.federation.http_source import CaseClient
from socialcredit.service.due_process import DueProcess
from socialcredit.service.parties import Party, Role
from socialcredit.store import Store
from socialcredit.tables.federation import case_routes_table
from socialcredit.tables.records import batches_table, of_authority, records_table
from socialcredit.tables.service import cases_table

OUT, IN = "out", "in"
PENDING, SENT, DECIDED = "pending", "sent", "decided"
DECIDED_STATUSES = ("upheld", "rejected")


@dataclass(frozen=True, slots=True)
class Destination:
    """Where a case goes: the peer, and the target as that peer names it."""

    peer: Peer
    target: dict[str, Any]


def platform_party(code: str) -> Party:
    """The party another platform acts as here."""
    return Party(code, Role.PLATFORM, f"the {code} platform")


# -- at the platform where the subject filed -------------------------------------------------------------------


def destination(store: Store, config: FederationConfig, case: Any) -> Destination | None:
    """Where ``case`` (a row of ``cases``) must be decided, or None when it is this platform's own to decide."""
    if case.kind != "objection" or case.target_kind not in ("record", "list_entry") or not case.basis:
        return None
    origins = {origin_of(authority, config.platform)[0] for authority, _ in case.basis}
    if origins == {config.platform}:
        return None
    if len(origins) != 1:
        return None  # records of several platforms: decided here (a rare case, left to this platform's reviewers)
    (origin,) = origins
    peer = config.peer(origin) or _delivered_by(store, config, case.basis[0])
    if peer is None:
        return None
    target = dict(case.target)
    if case.target_kind == "record" and peer.platform == origin:
        target["authority"] = origin_of(target["authority"], config.platform)[1]
    target = {k: v for k, v in target.items() if k in ("kind", "authority", "record_id", "list_id", "key")}
    return Destination(peer, target)


def _delivered_by(store: Store, config: FederationConfig, basis: list[str]) -> Peer | None:
    """The peer whose feed delivered this record (its batch's source ``federation:<peer>/<channel>``)."""
    r, b = records_table, batches_table
    with store.read_snapshot() as conn:
        source = conn.execute(
            select(b.c.source)
            .join(r, r.c.batch_id == b.c.id)
            .where(of_authority(basis[0]), r.c.record_id == basis[1])
        ).scalar_one_or_none()
    if source is None or not source.startswith("federation:"):
        return None
    return config.peer(source.removeprefix("federation:").partition("/")[0])


Connect = Callable[[Peer], CaseClient]
"""Opens a client to a peer's case interface."""


def route_out(store: Store, config: FederationConfig, connect: Connect) -> list[str]:
    """Send every open objection about another platform's record that has not been sent yet; what happened."""
    c, t = cases_table, case_routes_table
    with store.read_snapshot() as conn:
        sent = set(conn.execute(select(t.c.reference).where(t.c.direction == OUT, t.c.status != PENDING)).scalars())
        cases = [
            row
            for row in conn.execute(select(c).where(c.c.status == "open", c.c.kind == "objection").order_by(c.c.id))
            if row.reference not in sent and any(ORIGIN_SEPARATOR in a for a, _ in row.basis or [])
        ]
    out = []
    for case in cases:
        where = destination(store, config, case)
        if where is None:
            continue
        client = connect(where.peer)
        try:
            answer = client.file(_as_sent(config, case, where))
        except FederationError as exc:
            _save_out(store, case.reference, where.peer.platform, None, PENDING, str(exc))
            out.append(f"{case.reference}: not sent to {where.peer.platform} yet: {exc}")
            continue
        finally:
            client.close()
        _save_out(store, case.reference, where.peer.platform, answer["reference"], SENT, None)
        out.append(f"{case.reference}: sent to {where.peer.platform}, filed there as {answer['reference']}")
    return out


def _as_sent(config: FederationConfig, case: Any, where: Destination) -> dict[str, Any]:
    return {
        "reference": case.reference,
        "subject_id": case.subject_id,
        "scheme": case.scheme,
        "target": where.target,
        "statement": case.statement,
        "filed_at": case.filed_at.isoformat(),
        "deadline": case.deadline.isoformat(),
        "filed_on": config.platform,
    }


def _save_out(store: Store, reference: str, peer: str, remote: str | None, status: str, error: str | None) -> None:
    t = case_routes_table
    with store.write_transaction() as conn:
        found = conn.execute(
            select(t.c.id).where(t.c.direction == OUT, t.c.reference == reference)
        ).scalar_one_or_none()
        values = {
            "peer": peer,
            "remote_reference": remote,
            "status": status,
            "last_error": error,
            "updated_at": store.clock(),
        }
        if found is None:
            conn.execute(insert(t).values(direction=OUT, reference=reference, **values))
        else:
            conn.execute(update(t).where(t.c.id == found).values(**values))


def collect_outcomes(store: Store, config: FederationConfig, due: DueProcess, connect: Connect) -> list[str]:
    """Ask about every case sent and not yet decided; close here those decided there. What happened."""
    t = case_routes_table
    with store.read_snapshot() as conn:
        routes = conn.execute(select(t).where(t.c.direction == OUT, t.c.status == SENT).order_by(t.c.id)).all()
    out = []
    for route in routes:
        peer = config.peer(route.peer)
        if peer is None:
            continue
        client = connect(peer)
        try:
            there = client.outcome(route.reference)  # the issuer knows the case by the sender's reference
        except FederationError as exc:
            out.append(f"{route.reference}: could not ask {peer.platform}: {exc}")
            continue
        finally:
            client.close()
        status = there.get("status")
        if status not in DECIDED_STATUSES:
            continue
        correction = [f"{peer.platform}{ORIGIN_SEPARATOR}{c}" for c in there.get("correction") or []]
        reasons = f"decided by {peer.platform} ({route.remote_reference}): {there.get('reasons') or ''}"
        try:
            due.decisions.record_outcome(
                platform_party(peer.platform), route.reference, outcome=status, reasons=reasons, correction=correction
            )
        except (NotFound, ConflictError) as exc:  # closed here meanwhile: the outcome there is still recorded
            out.append(f"{route.reference}: {exc}")
        with store.write_transaction() as conn:
            conn.execute(update(t).where(t.c.id == route.id).values(status=DECIDED, updated_at=store.clock()))
        out.append(f"{route.reference}: {status} by {peer.platform}")
    return out


# -- at the issuing platform -------------------------------------------------------------------------------------


def accept(store: Store, due: DueProcess, party: Party, body: dict[str, Any]) -> dict[str, Any]:
    """File here a case another platform sent (once, however often it is sent); its reference here."""
    sent = _checked(body)
    t = case_routes_table
    with store.read_snapshot() as conn:
        known = conn.execute(
            select(t.c.reference).where(
                t.c.direction == IN, t.c.peer == party.code, t.c.remote_reference == sent["reference"]
            )
        ).scalar_one_or_none()
    if known is not None:
        return {"reference": known, "filed_on": sent["filed_on"], "already": True}

    def route(conn: Connection, reference: str) -> None:
        conn.execute(
            insert(t).values(
                direction=IN,
                reference=reference,
                peer=party.code,
                remote_reference=sent["reference"],
                status=SENT,
                last_error=None,
                updated_at=store.clock(),
            )
        )

    case = due.filing.object_routed(
        party,
        subject_id=sent["subject_id"],
        scheme=sent["scheme"],
        target=sent["target"],
        statement=sent["statement"],
        filed_at=sent["filed_at"],
        deadline=sent["deadline"],
        then=route,
    )
    return {"reference": case["reference"], "deadline": case["deadline"], "filed_on": sent["filed_on"]}


def outcome(store: Store, party: Party, remote_reference: str) -> dict[str, Any]:
    """The state here of a case ``party`` sent (by its reference there)."""
    t, c = case_routes_table, cases_table
    with store.read_snapshot() as conn:
        row = conn.execute(
            select(c)
            .join(t, t.c.reference == c.c.reference)
            .where(t.c.direction == IN, t.c.peer == party.code, t.c.remote_reference == remote_reference)
        ).one_or_none()
    if row is None:
        raise NotFound(f"{party.code} sent no case {remote_reference!r} here")
    return {
        "reference": row.reference,
        "status": row.status,
        "deadline": row.deadline.isoformat(),
        "decided_at": row.decided_at.isoformat() if row.decided_at else None,
        "decided_by": row.decided_by,
        "reasons": row.reasons,
        "correction": row.correction,
    }


def _checked(body: Any) -> dict[str, Any]:
    """The sent case's fields, or InputError naming each one wrong."""
    problems: list[Problem] = []
    if not isinstance(body, dict):
        raise InputError([Problem("expected an object", "body")])
    out: dict[str, Any] = {}
    for name in ("reference", "subject_id", "scheme", "statement", "filed_on"):
        value = body.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 4000:
            problems.append(Problem("expected a text", name, None if value is None else str(value)[:80]))
        out[name] = value
    target = body.get("target")
    if not isinstance(target, dict):
        problems.append(Problem("expected an object", "target"))
    out["target"] = target
    out["filed_at"] = _parsed(body.get("filed_at"), datetime.fromisoformat, "filed_at", problems)
    out["deadline"] = _parsed(body.get("deadline"), date.fromisoformat, "deadline", problems)
    if isinstance(out["filed_at"], datetime) and out["filed_at"].tzinfo is None:
        problems.append(Problem("expected an instant with its offset", "filed_at", str(body.get("filed_at"))))
    if problems:
        raise InputError(problems)
    return out


def _parsed(value: Any, parse: Callable[[str], Any], name: str, problems: list[Problem]) -> Any:
    if isinstance(value, str):
        try:
            return parse(value)
        except ValueError:
            pass
    problems.append(Problem("expected ISO 8601 text", name, None if value is None else str(value)[:80]))
    return None
