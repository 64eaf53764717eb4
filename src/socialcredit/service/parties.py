"""Parties and their credentials: who is asking, bound to what.

A party has one role:

- ``authority``: an account of a registered authority; writes records within that authority's competences,
  about subjects within its jurisdiction;
- ``provider``: a service provider (ticket seller, procurement portal, bank), bound to the actions it may ask
  about; learns a decision, a reason code and a reference, never the file;
- ``subject``: bound to one subject id (a person, or an organization: each of its accounts is a party bound
  to the same code); sees that subject's file only;
- ``reviewer``: decides objections and repair applications; reads the files it must decide on (logged);
- ``operator``: runs the platform (refusal log, outbox); reads no file;
- ``public``: anyone, with or without a token; sees what a scheme publishes;
- ``platform``: another socialcredit platform of the federation (its id is the party's code); pulls the channels
  that name it as a receiver, and reads back what this platform refused of its own feed.

A credential is a random bearer token (:func:`secrets.token_urlsafe`, 32 bytes); only its SHA-256 is stored,
so a stolen database yields no usable token. A token is revoked by stamping it; it is never deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Connection, insert, select, update

from socialcredit.errors import ConflictError, InputError, NotFound, Problem, SocialCreditError
from socialcredit.ids import parse_subject_id
from socialcredit.store import Store
from socialcredit.tables.service import parties_table, tokens_table


class Role(StrEnum):
    """What a party is to the platform."""

    AUTHORITY = "authority"
    PROVIDER = "provider"
    SUBJECT = "subject"
    REVIEWER = "reviewer"
    OPERATOR = "operator"
    PUBLIC = "public"
    PLATFORM = "platform"


class Unauthenticated(SocialCreditError):
    """No valid credential where one is needed (HTTP 401)."""


class PermissionDenied(SocialCreditError):
    """The party may not do this (HTTP 403). Every refusal is logged before this is raised."""


@dataclass(frozen=True, slots=True)
class Party:
    """A party as the service layer sees it."""

    code: str
    role: Role
    name: str
    authority: str | None = None
    subject_id: str | None = None
    actions: tuple[str, ...] = field(default_factory=tuple)

    def may_ask(self, action: str) -> bool:
        """Whether a provider may ask about ``action``."""
        return self.role is Role.PROVIDER and ("*" in self.actions or action in self.actions)


ANONYMOUS = Party(code="anonymous", role=Role.PUBLIC, name="anyone (no token)")
"""The party of a request that carries no token: the public."""

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _tx(store: Store, *, write: bool):
    return store.write_transaction() if write else store.read_snapshot()


def _row_to_party(row) -> Party:
    return Party(
        code=row.code,
        role=Role(row.role),
        name=row.name,
        authority=row.authority,
        subject_id=row.subject_id,
        actions=tuple(row.actions or ()),
    )


def validate_party(party: Party, store: Store) -> Party:
    """Check a party's binding for its role; returns it with a canonical subject id. InputError lists problems."""
    problems: list[Problem] = []
    code = party.code
    if not code or code != code.strip() or len(code) > 64 or code == ANONYMOUS.code:
        problems.append(Problem("a party code is 1 to 64 characters without surrounding spaces", "code", code))
    if not party.name.strip():
        problems.append(Problem("must not be empty", "name", party.name))
    subject_id = party.subject_id
    if party.role is Role.AUTHORITY:
        if not party.authority:
            problems.append(Problem("an authority party names its registered authority", "authority"))
        else:
            try:
                store.get_authority(party.authority)
            except NotFound as exc:
                problems.append(Problem(str(exc), "authority", party.authority))
    elif party.authority:
        problems.append(Problem("only an authority party names an authority", "authority", party.authority))
    if party.role is Role.SUBJECT:
        if not subject_id:
            problems.append(Problem("a subject party names its subject id", "subject_id"))
        else:
            try:
                subject_id = parse_subject_id(subject_id, field="subject_id").value
            except InputError as exc:
                problems.extend(exc.problems)
    elif subject_id:
        problems.append(Problem("only a subject party names a subject id", "subject_id", subject_id))
    if party.role is Role.PROVIDER:
        if not party.actions:
            problems.append(Problem("a service provider names the actions it may ask about", "actions"))
    elif party.actions:
        problems.append(Problem("only a service provider names actions", "actions", ",".join(party.actions)))
    if problems:
        raise InputError(problems)
    return Party(party.code, party.role, party.name, party.authority, subject_id, tuple(party.actions))


def add_party(store: Store, party: Party) -> bool:
    """Register a party. True when added, False when already registered identically; ConflictError otherwise."""
    party = validate_party(party, store)
    with _tx(store, write=True) as conn:
        row = conn.execute(select(parties_table).where(parties_table.c.code == party.code)).one_or_none()
        if row is not None:
            if _row_to_party(row) == party:
                return False
            raise ConflictError(f"party {party.code!r} is already registered differently")
        conn.execute(
            insert(parties_table).values(
                code=party.code,
                role=str(party.role),
                name=party.name,
                authority=party.authority,
                subject_id=party.subject_id,
                actions=list(party.actions),
                created_at=store.clock(),
            )
        )
    return True


def get_party(store: Store, code: str) -> Party:
    """The party registered under ``code``."""
    with _tx(store, write=False) as conn:
        return _get_party(conn, code)


def _get_party(conn: Connection, code: str) -> Party:
    row = conn.execute(select(parties_table).where(parties_table.c.code == code)).one_or_none()
    if row is None:
        raise NotFound(f"no party {code!r} is registered: add it with `socialcredit party add`")
    return _row_to_party(row)


def list_parties(store: Store) -> list[Party]:
    """Every registered party, by code."""
    with _tx(store, write=False) as conn:
        rows = conn.execute(select(parties_table).order_by(parties_table.c.code)).all()
    return [_row_to_party(r) for r in rows]


def issue_token(store: Store, party_code: str, *, label: str | None = None) -> str:
    """A new token for a party. The token itself is returned once and never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with _tx(store, write=True) as conn:
        _get_party(conn, party_code)
        conn.execute(
            insert(tokens_table).values(
                party=party_code, token_sha256=token_hash(token), label=label, created_at=store.clock(), revoked_at=None
            )
        )
    return token


def revoke_tokens(
    store: Store, *, party_code: str | None = None, token: str | None = None, keep: Collection[str] = ()
) -> int:
    """Revoke one token (given in full) or every live token of a party but those in ``keep``; returns how many
    were revoked."""
    if (party_code is None) == (token is None):
        raise InputError([Problem("give either a party or a token", "party")])
    t = tokens_table
    condition = t.c.token_sha256 == token_hash(token) if token is not None else t.c.party == party_code
    kept = sorted({token_hash(k) for k in keep})
    with _tx(store, write=True) as conn:
        if party_code is not None:
            _get_party(conn, party_code)
        query = update(t).where(condition, t.c.revoked_at.is_(None))
        if kept:
            query = query.where(t.c.token_sha256.not_in(kept))
        result = conn.execute(query.values(revoked_at=store.clock()))
        return int(result.rowcount or 0)


def authenticate(store: Store, token: str) -> Party:
    """The party holding a live ``token``; Unauthenticated otherwise (unknown, malformed or revoked)."""
    if not token or len(token) > 256:
        raise Unauthenticated("the token is not valid")
    t = tokens_table
    with _tx(store, write=False) as conn:
        row = conn.execute(
            select(t.c.party, t.c.revoked_at).where(t.c.token_sha256 == token_hash(token))
        ).one_or_none()
        if row is None or row.revoked_at is not None:
            raise Unauthenticated("the token is not valid or has been revoked")
        return _get_party(conn, row.party)


def parse_role(text: str) -> Role:
    """A role from its name; InputError names the roles."""
    try:
        return Role(text)
    except ValueError:
        raise InputError(
            [Problem(f"expected one of {', '.join(r.value for r in Role)}", "role", text)]
        ) from None


def party_summary(parties: Sequence[Party]) -> list[dict[str, object]]:
    """Plain data for listing parties."""
    return [
        {
            "code": p.code,
            "role": str(p.role),
            "name": p.name,
            "authority": p.authority,
            "subject_id": p.subject_id,
            "actions": list(p.actions),
        }
        for p in parties
    ]
